/**
 * Moderation end to end (real webhook, real openai SDK streaming from the fake model, compressed clock): a question
 * with a listed word is refused without a model call; a listed word in the answer — split across streamed chunks or
 * across page boundaries — never reaches the user unmasked, whether the answer is the passive reply, waits for the
 * continue word, or is pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, engineForEachTest } from '../support/engine.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

const APP_SECRET = 'appsecret0123456789abcdef01234567';
const lists = [{ name: 'test-list', words: ['敏感词', '坏话'] }];
const LONG = '前文。'.repeat(150) + '敏感词'.repeat(700);

async function eventually<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The model: `slow` answers take 900 ms (past the first attempt), `late` ones 2.5 s (past the last), `long` ones are paged. */
function answerFor(question: string) {
  const latencyMs = question.includes('late') ? 2500 : question.includes('slow') ? 900 : 20;
  if (question.includes('long')) return { reply: LONG, latencyMs };
  // The listed word arrives in two streamed chunks.
  return { reply: '好的，这是敏感词和坏话。', chunks: ['好的，这是敏', '感词和坏', '话。'], latencyMs };
}

const allText = (pages: string[]) => pages.join('');
const expectClean = (text: string) => {
  expect(text).not.toMatch(/[敏感词坏话]/);
};

describe('moderation (passive delivery)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { moderation: { lists }, delivery: 'passive' } });
    h.fake.setDefault((req) => answerFor(lastUserText(req.body as ChatBody)));
  });
  afterAll(() => h.close());

  it('refuses a question with a listed word (separators and full-width included) and calls no model', async () => {
    const before = h.fake.requests.length;
    for (const question of ['什么是敏感词', '说点 坏*话', '敏　感　词！', '坏-话']) {
      const result = await h.send(question, { user: newUser() });
      expect(result.userSees).toBe('抱歉，这个问题涉及不适合讨论的内容，换个话题吧。');
    }
    expect(h.fake.requests.length).toBe(before);
  });

  it('masks a listed word split across streamed chunks in the passive reply', async () => {
    const result = await h.send('你好', { user: newUser() });
    expect(result.userSees).toBe('好的，这是＊＊＊和＊＊。');
  });

  it('counts each block and mask in /metrics, by stage and action', async () => {
    const count = async (stage: string, action: string) => {
      const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`wechat_gpt_moderation_total{stage="${stage}",action="${action}"}`));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const [blocked, masked] = [await count('question', 'block'), await count('answer', 'mask')];
    await h.send('坏话', { user: newUser() });
    await h.send('你好', { user: newUser() });
    expect(await count('question', 'block')).toBe(blocked + 1);
    expect(await count('answer', 'mask')).toBe(masked + 1);
  });

  it('masks every page of a long answer fetched with the continue word, words across page boundaries included', async () => {
    const user = newUser();
    const pages = [(await h.send('long', { user })).userSees];
    while (pages.at(-1)?.includes('回复「继续」')) pages.push((await h.send('继续', { user })).userSees);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expectClean(page);
    expect(allText(pages)).toContain('＊'.repeat(30));
  });

  it('masks an answer that waited in the outbox (too slow for the attempts)', async () => {
    const user = newUser();
    const first = await h.send('late 你好', { user });
    expect(first.userSees).toMatch(/继续/);
    // The continue word waits for the answer or says it is still coming; ask again until it is there.
    let later = await h.send('继续', { user });
    for (let tries = 0; tries < 20 && !later.userSees.includes('好的'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      later = await h.send('继续', { user });
    }
    expect(later.userSees).toContain('好的，这是＊＊＊和＊＊。');
    expectClean(later.userSees);
  });
});

describe('moderation (pushed answers, blocking)', () => {
  let h: Harness;
  let api: FakeWechatApi;
  beforeAll(async () => {
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    h = await startHarness({
      config: {
        wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api.url },
        moderation: { lists, answers: 'mask' },
      },
    });
    h.fake.setDefault((req) => answerFor(lastUserText(req.body as ChatBody)));
  });
  afterAll(async () => {
    await h.close();
    await api.close();
  });

  const pushedTexts = (user: string) =>
    api
      .pushed(user)
      .filter((item) => item.kind === 'message')
      .map((item) => (item.body.text as { content: string }).content);

  it('masks a pushed answer, every pushed page of a long one included', async () => {
    const user = newUser();
    await h.send('slow long', { user });
    await eventually(() =>
      h.records.some((r) => r.openid === user && r.delivery === 'push' && r.replyType === 'text') ? true : undefined,
    );
    const pushed = pushedTexts(user);
    expect(pushed.length).toBeGreaterThan(1);
    for (const page of pushed) expectClean(page);
    expect(allText(pushed).length).toBe(LONG.length);
  });
});

describe('moderation: answers blocked', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { moderation: { lists, answers: 'block' }, delivery: 'passive' } });
    h.fake.setDefault((req) => answerFor(lastUserText(req.body as ChatBody)));
  });
  afterAll(() => h.close());

  it('replaces the whole answer with the configured text', async () => {
    const result = await h.send('你好', { user: newUser() });
    expect(result.userSees).toBe('抱歉，这个回答包含不适合发送的内容，换个问法试试吧。');
    expect(h.records.at(-1)).toMatchObject({ source: 'moderation' });
  });
});

describe('moderation of voice and the image command (engine, fake clock)', () => {
  let engine: Engine;
  engineForEachTest(
    (current) => {
      engine = current;
    },
    { config: { moderation: { lists } } },
  );

  it('refuses a voice message whose recognition has a listed word, and an image prompt with one, calling no model', async () => {
    const voice = await engine.send({ type: 'voice', mediaId: 'm1', format: 'amr', recognition: '说说敏感词' });
    expect(voice.userSees).toBe('抱歉，这个问题涉及不适合讨论的内容，换个话题吧。');
    expect((await engine.send('/画 敏感词的海报')).userSees).toBe('抱歉，这个问题涉及不适合讨论的内容，换个话题吧。');
    expect(engine.model.questions).toEqual([]);
    // A clean prompt goes on to the image command (here without AppID/AppSecret, so it says so).
    expect((await engine.send('/画 一只猫')).userSees).toMatch(/AppID/);
  });
});
