/**
 * Answering from the knowledge base, end to end: the real createWechatGpt behind a real server, WeChat's side played
 * by the simulator, the real openai SDK against two fake OpenAI servers (the model; the embeddings the knowledge base
 * was built with). The answer cites the right document; a keyword rule still wins; the answer cache reuses a
 * first-turn answer with no model call, and a rebuilt knowledge base does not reuse the old answers.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildKb } from '../../src/kb/build.js';
import { createEmbedder } from '../../src/kb/embed.js';
import { type Knowledge, loadKnowledge } from '../../src/kb/knowledge.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { type FakeOpenAI, type RecordedRequest, startFakeOpenAI } from '../support/fake-openai.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/kb');
/** WeChat's real timing: generous, so a loaded machine does not change what the user sees. */
const TIMING = { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3 };

let embeddings: FakeOpenAI;
let work: string;
beforeAll(async () => {
  embeddings = await startFakeOpenAI();
});
afterAll(async () => {
  await embeddings.close();
});
beforeEach(async (context) => {
  embeddings.reset();
  work = await mkdtemp(join(tmpdir(), 'wechat-gpt-kb-answer-'));
  await cp(FIXTURES, join(work, 'docs'), { recursive: true });
  context.onTestFinished(() => rm(work, { recursive: true, force: true }));
});

const embedder = () => createEmbedder({ baseUrl: embeddings.url, model: 'test-embedding', maxRetries: 0 });
async function buildAndLoad(): Promise<Knowledge> {
  await buildKb({ dir: join(work, 'kb'), paths: ['docs'], cwd: work, embedder: embedder(), mode: 'build' });
  return loadKnowledge({ dir: join(work, 'kb'), embedder: embedder() });
}

const systemMessage = (request: RecordedRequest | undefined) =>
  ((request?.body as { messages: { role: string; content: string }[] } | undefined)?.messages ?? []).find(
    (m) => m.role === 'system',
  )?.content ?? '';
const chats = (h: Harness) => h.fake.requests.filter((r) => r.endpoint === 'chat');
const embedCalls = () => embeddings.requests.filter((r) => r.endpoint === 'embeddings').length;

const kbConfig = { kb: { dir: 'unused', minScore: 0.05, topK: 2 }, timing: TIMING };

describe('answering from the knowledge base', () => {
  it('gives the model the passages and the instruction, and the reply ends with the cited source', async () => {
    const knowledge = await buildAndLoad();
    const h = await startHarness({ knowledge, config: kbConfig });
    try {
      h.fake.setDefault({ reply: '周六上午十点开门，晚上八点关门 [1]。' });
      const result = await h.send('周六几点开门？');
      expect(result.userSees).toBe('周六上午十点开门，晚上八点关门 [1]。\n\n来源：营业时间');
      const system = systemMessage(chats(h)[0]);
      expect(system).toContain('请只根据这些资料回答');
      expect(system).toContain('[1] 《营业时间》');
      expect(system).toContain('周六和周日上午十点开门');
      expect(h.records.at(-1)).toMatchObject({ source: 'llm', attempt: 1 });
    } finally {
      await h.close();
    }
  });

  it('a keyword rule still wins: no retrieval, no model', async () => {
    const knowledge = await buildAndLoad();
    const h = await startHarness({
      knowledge,
      config: {
        ...kbConfig,
        keywords: [{ match: 'contains', pattern: '开门', reply: { type: 'text', content: '每天九点开门' } }],
      },
    });
    try {
      embeddings.reset();
      expect((await h.send('周六几点开门？')).userSees).toBe('每天九点开门');
      expect(chats(h)).toHaveLength(0);
      expect(embedCalls()).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('a failing embeddings endpoint means answering without the knowledge base', async () => {
    const knowledge = await buildAndLoad();
    const h = await startHarness({ knowledge, config: kbConfig });
    try {
      embeddings.script({ status: 500 }, 'embeddings');
      h.fake.setDefault({ reply: '我不确定。' });
      expect((await h.send('周六几点开门？')).userSees).toBe('我不确定。');
      expect(systemMessage(chats(h)[0])).not.toContain('请只根据这些资料回答');
    } finally {
      await h.close();
    }
  });
});

describe('the answer cache', () => {
  it('reuses a first-turn answer for the same question from another user: attempt 1, no model call', async () => {
    const knowledge = await buildAndLoad();
    const h = await startHarness({ knowledge, config: { ...kbConfig, cache: { ttlMs: 60_000 } } });
    try {
      h.fake.setDefault({ reply: '上午十点 [1]' });
      const first = await h.send('周六几点开门？', { user: newUser() });
      expect(chats(h)).toHaveLength(1);
      const embedded = embedCalls();

      const again = await h.send(' 周六几点开门 ', { user: newUser() });
      expect(again.userSees).toBe(first.userSees);
      expect(again.attempts).toHaveLength(1);
      expect(h.records.at(-1)).toMatchObject({ source: 'cache', attempt: 1 });
      expect(chats(h)).toHaveLength(1);
      expect(embedCalls()).toBe(embedded);

      // A second turn of a conversation is not a first-turn question: the model answers it.
      const user = newUser();
      await h.send('周日呢？', { user });
      await h.send('周六几点开门？', { user });
      expect(chats(h)).toHaveLength(3);
    } finally {
      await h.close();
    }
  });

  it('a cached answer is moderated like a fresh one: a listed word never comes back unmasked', async () => {
    const h = await startHarness({
      config: { cache: { ttlMs: 60_000 }, moderation: { lists: [{ name: 'test', words: ['坏话'] }] } },
    });
    try {
      h.fake.setDefault({ reply: '这是坏话。' });
      expect((await h.send('说点什么', { user: newUser() })).userSees).toBe('这是＊＊。');
      const again = await h.send('说点什么', { user: newUser() });
      expect(h.records.at(-1)).toMatchObject({ source: 'cache' });
      expect(again.userSees).toBe('这是＊＊。');
    } finally {
      await h.close();
    }
  });

  it('with a semantic threshold, reuses the answer of a question that means the same (no model call)', async () => {
    const knowledge = await buildAndLoad();
    const h = await startHarness({
      knowledge,
      config: { ...kbConfig, cache: { ttlMs: 60_000, semanticThreshold: 0.8 } },
    });
    try {
      h.fake.setDefault({ reply: '上午十点 [1]' });
      const first = await h.send('周六几点开门？', { user: newUser() });
      const similar = await h.send('请问周六几点开门', { user: newUser() });
      expect(similar.userSees).toBe(first.userSees);
      expect(h.records.at(-1)).toMatchObject({ source: 'cache', attempt: 1 });
      expect(chats(h)).toHaveLength(1);
      h.fake.setDefault({ reply: '七天内 [1]' });
      expect((await h.send('退货怎么办？', { user: newUser() })).userSees).toBe('七天内 [1]\n\n来源：退货政策');
      expect(chats(h)).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('does not reuse answers after the knowledge base is rebuilt (shared store, new version)', async () => {
    const store = createMemoryStore();
    const config = { ...kbConfig, store, cache: { ttlMs: 60_000 } };
    const before = await buildAndLoad();
    const h1 = await startHarness({ knowledge: before, config });
    try {
      h1.fake.setDefault({ reply: '七天内可以退货 [1]' });
      await h1.send('退货怎么办？', { user: newUser() });
      await h1.send('退货怎么办？', { user: newUser() });
      expect(chats(h1)).toHaveLength(1);
    } finally {
      await h1.close();
    }

    await writeFile(join(work, 'docs/returns.md'), '# 退货政策\n\n收到商品十四天内可以无理由退货。\n');
    const after = await buildAndLoad();
    expect(after.version).not.toBe(before.version);
    const h2 = await startHarness({ knowledge: after, config });
    try {
      h2.fake.setDefault({ reply: '十四天内可以退货 [1]' });
      const result = await h2.send('退货怎么办？', { user: newUser() });
      expect(result.userSees).toBe('十四天内可以退货 [1]\n\n来源：退货政策');
      expect(chats(h2)).toHaveLength(1);
    } finally {
      await h2.close();
      await store.close();
    }
  });
});
