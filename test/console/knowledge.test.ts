// The console shows which knowledge base passages a question retrieved, with their scores, in the message's detail:
// a real knowledge base built with the fake embeddings endpoint, the real bot and console on loopback.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../src/console/detail.js';
import { buildKb } from '../../src/kb/build.js';
import { createEmbedder } from '../../src/kb/embed.js';
import { loadKnowledge } from '../../src/kb/knowledge.js';
import { deliver } from '../../src/simulator/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { ACCOUNT, AES_KEY, APP_ID, newUser, TOKEN } from '../support/harness.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

let embeddings: FakeOpenAI;
let work: string;
let server: ConsoleServer;
beforeAll(async () => {
  embeddings = await startFakeOpenAI();
  work = await mkdtemp(join(tmpdir(), 'wechat-gpt-console-kb-'));
  await cp(join(import.meta.dirname, '../fixtures/kb'), join(work, 'docs'), { recursive: true });
  const embedder = () => createEmbedder({ baseUrl: embeddings.url, model: 'test-embedding', maxRetries: 0 });
  await buildKb({ dir: join(work, 'kb'), paths: ['docs'], cwd: work, embedder: embedder(), mode: 'build' });
  const knowledge = await loadKnowledge({ dir: join(work, 'kb'), embedder: embedder() });
  server = await startConsoleServer({ knowledge });
});
afterAll(async () => {
  await server?.close();
  await embeddings?.close();
  await rm(work, { recursive: true, force: true });
});

describe('the console and the knowledge base', () => {
  it("shows the passages a question retrieved, with their scores, in the message's detail", async () => {
    server.fake.script({ reply: '周六上午十点开门 [1]。' });
    const user = newUser();
    const result = await deliver({
      url: server.webhookUrl,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      appId: APP_ID,
      mode: 'safe',
      message: { type: 'text', content: '周六几点开门？', fromUser: user, toUser: ACCOUNT },
      timeoutMs: server.gpt.config.timing.wechatTimeoutMs,
      attempts: 3,
    });
    expect(result.userSees).toContain('周六上午十点开门');
    const msgId = result.message.type === 'text' ? result.message.msgId : '';
    const detail = (await (await server.api(`messages/msg:${msgId}`)).json()) as MessageDetail;
    expect(detail.retrievals).toHaveLength(1);
    const [retrieval] = detail.retrievals;
    expect(retrieval?.question).toBe('周六几点开门？');
    expect(retrieval?.passages.length).toBeGreaterThan(0);
    expect(retrieval?.passages[0]?.title).toBe('营业时间');
    const scores = retrieval?.passages.map((passage) => passage.score) ?? [];
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The same passages went to the model, in its system message.
    const system = detail.modelCalls[0]?.messages?.find((message) => message.role === 'system')?.content;
    expect(system).toContain(retrieval?.passages[0]?.text.slice(0, 20));
  });
});
