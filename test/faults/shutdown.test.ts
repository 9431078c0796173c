/**
 * Shutdown with answers in flight: gpt.close({ drainMs }) waits for them, so each lands where it belongs (the attempt
 * still open, the job record for WeChat's retry, or the user's outbox) and a restarted instance on the same store
 * delivers it. Compressed clock: WeChat's timeout 500 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWechatGpt, defaultTexts } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { deliver } from '../../src/simulator/index.js';
import { createMemoryStore, type MemoryStore } from '../../src/store/memory.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { ACCOUNT, AES_KEY, APP_ID, COMPRESSED, newUser, TOKEN } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

/** An instance on a shared store, served on its own port; close() is the graceful shutdown under test. */
async function startInstance(store: MemoryStore, fake: FakeOpenAI) {
  const gpt = createWechatGpt({
    wechat: { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID },
    llm: { apiKey: 'sk-test', baseUrl: fake.url, model: 'test-model', maxRetries: 0 },
    timing: COMPRESSED,
    store,
    logger: silentLogger,
  });
  const server = createServer(gpt.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${gpt.config.path}`;
  return {
    gpt,
    send: (content: string, user: string, options: { msgId?: string; attempts?: number; timeoutMs?: number } = {}) =>
      deliver({
        url,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        appId: APP_ID,
        mode: 'safe',
        message: { type: 'text', content, fromUser: user, toUser: ACCOUNT },
        timeoutMs: options.timeoutMs ?? COMPRESSED.wechatTimeoutMs,
        attempts: options.attempts ?? COMPRESSED.attempts,
        ...(options.msgId ? { msgId: options.msgId } : {}),
      }),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('shutdown with answers in flight', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup() {
    const fake = await startFakeOpenAI({ apiKey: 'sk-test' });
    fake.setDefault((req) => {
      const question = lastUserText(req.body as ChatBody);
      return { reply: `answer:${question}`, latencyMs: Number(/slow:(\d+)/.exec(question)?.[1] ?? 30) };
    });
    const store = createMemoryStore();
    cleanup.push(
      () => fake.close(),
      () => store.close(),
    );
    return { fake, store };
  }

  it('an attempt held at shutdown answers at once; its answer, finished during the drain, waits in the outbox', async () => {
    const { fake, store } = await setup();
    const a = await startInstance(store, fake);
    cleanup.push(() => a.stop());
    const user = newUser();
    // A client more patient than WeChat: the first model call loads the SDK, which is not what is timed here.
    const sending = a.send('slow:300 in flight at shutdown', user, { attempts: 1, timeoutMs: 3000 });
    await until(() => fake.inFlight === 1);
    expect(await a.gpt.close({ drainMs: 3000 })).toBe(true);
    expect(a.gpt.bot.inFlight).toBe(0);
    const result = await sending;
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe(defaultTexts.thinking);
    expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 1 });
    expect((await store.claimOutbox(user, 1000))?.reply).toEqual({
      type: 'text',
      content: 'answer:slow:300 in flight at shutdown',
    });
  });

  it('an answer due after the last attempt: close waits, the answer lands in the outbox, the next instance delivers it', async () => {
    const { fake, store } = await setup();
    const a = await startInstance(store, fake);
    cleanup.push(() => a.stop());
    const user = newUser();
    const question = 'slow:2000 answered after the attempts';
    const first = await a.send(question, user);
    expect(first.userSees).toBe(defaultTexts.thinking);
    expect(fake.inFlight).toBe(1);
    await a.gpt.close({ drainMs: 3000 });
    expect(a.gpt.bot.inFlight).toBe(0);
    expect(await store.summarizeOutbox(user)).toMatchObject({ unseenAnswers: 1 });

    // A restarted instance on the same store: the continue word delivers it, without asking the model again.
    const b = await startInstance(store, fake);
    cleanup.push(async () => {
      await b.stop();
      await b.gpt.close({ drainMs: 0 });
    });
    const next = await b.send('继续', user);
    expect(next.ok).toBe(true);
    expect(next.userSees).toBe(`answer:${question}`);
    expect(fake.requests.filter((r) => lastUserText(r.body as ChatBody) === question)).toHaveLength(1);
  });

  it('a WeChat retry after the restart gets an answer finished during the drain, with no second model call', async () => {
    const { fake, store } = await setup();
    const a = await startInstance(store, fake);
    cleanup.push(() => a.stop());
    const user = newUser();
    const question = 'slow:700 finished while draining';
    // Attempt 1 is dropped by WeChat at 500 ms; the instance shuts down before the answer is ready.
    const first = await a.send(question, user, { attempts: 1 });
    expect(first.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout']);
    await a.gpt.close({ drainMs: 3000 });

    const b = await startInstance(store, fake);
    cleanup.push(async () => {
      await b.stop();
      await b.gpt.close({ drainMs: 0 });
    });
    const retry = await b.send(question, user, { msgId: (first.message as { msgId: string }).msgId, attempts: 1 });
    expect(retry.userSees).toBe(`answer:${question}`);
    expect(fake.requests.filter((r) => lastUserText(r.body as ChatBody) === question)).toHaveLength(1);
  });

  it('a drain bound shorter than the answer returns on time and reports unfinished work', async () => {
    const { fake, store } = await setup();
    const a = await startInstance(store, fake);
    cleanup.push(() => a.stop());
    void a.send('slow:1500 longer than the drain', newUser(), { attempts: 1 });
    await until(() => fake.inFlight === 1);
    expect(await a.gpt.bot.drain(100)).toBe(false);
    await a.gpt.close({ drainMs: 3000 });
    expect(a.gpt.bot.inFlight).toBe(0);
  });
});
