/**
 * Model faults, end to end through the webhook with a WeChat-like client on the compressed clock (timeout 500 ms,
 * 3 attempts): a stall, 429 with Retry-After, 500, a reset mid-stream, malformed SSE. Each ends in a defined text the
 * user sees (the answer after a retry, or the friendly notice for that fault), never WeChat's error page, and the
 * next question is answered normally.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import type { StaticBehaviour } from '../support/fake-openai.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

const notices = defaultTexts.llmErrors;

/** The calls the model got for one question. */
const callsFor = (h: Harness, question: string) =>
  h.fake.requests.filter((r) => r.endpoint === 'chat' && lastUserText(r.body as ChatBody) === question).length;

/** After a fault, the same user's next question is answered by the model as usual. */
async function nextQuestionAnswered(h: Harness, user: string): Promise<void> {
  h.fake.script({ reply: 'back to normal' });
  const result = await h.send('and now?', { user });
  expect(result.ok).toBe(true);
  expect(result.userSees).toBe('back to normal');
}

describe('model faults without retries: the friendly notice for each', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { llm: { maxRetries: 0, timeoutMs: 700 } } });
  });
  afterEach(async () => {
    // Work still running (a retry after its backoff) must not take the next test's scripted answers.
    await h.gpt.bot.drain(3000);
    h.fake.reset();
  });
  afterAll(() => h.close());

  const cases: [string, StaticBehaviour, string][] = [
    ['a stall (no answer at all) ends at llm.timeoutMs', { stall: true }, notices.timeout],
    ['a stream that stalls after its first chunk', { stall: true, afterChunks: 1 }, notices.timeout],
    ['429 rate limited', { status: 429, retryAfter: 1 }, notices.rate_limit],
    ['500 server error', { status: 500 }, notices.server],
    ['502 from a gateway', { status: 502 }, notices.server],
    ['a connection reset mid-stream', { resetMidStream: true, afterChunks: 2 }, notices.stream],
    ['malformed SSE', { malformedSse: true }, notices.stream],
  ];
  for (const [name, behaviour, notice] of cases) {
    it(name, async () => {
      const user = newUser();
      const question = `fault: ${name}`;
      h.fake.script(behaviour);
      const result = await h.send(question, { user });
      expect(result.ok).toBe(true);
      expect(result.problems).toEqual([]);
      expect(result.userSees).toBe(notice);
      expect(result.attempts.every((a) => a.outcome === 'timeout' || a.status === 200)).toBe(true);
      expect(callsFor(h, question)).toBe(1);
      await nextQuestionAnswered(h, user);
    });
  }
});

describe('model faults with one retry: the answer still arrives, with exactly one extra call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { llm: { maxRetries: 1, timeoutMs: 400 } } });
  });
  afterEach(async () => {
    // Work still running (a retry after its backoff) must not take the next test's scripted answers.
    await h.gpt.bot.drain(3000);
    h.fake.reset();
  });
  afterAll(() => h.close());

  const cases: [string, StaticBehaviour][] = [
    ['429 with Retry-After: 1', { status: 429, retryAfter: 1 }],
    ['500', { status: 500 }],
    ['a connection reset mid-stream', { resetMidStream: true, afterChunks: 1 }],
    ['malformed SSE', { malformedSse: true }],
    ['a stall cut by llm.timeoutMs', { stall: true }],
  ];
  for (const [name, behaviour] of cases) {
    it(name, async () => {
      const user = newUser();
      const question = `retried: ${name}`;
      h.fake.script([behaviour, { reply: `the answer to ${name}` }]);
      const result = await h.send(question, { user });
      expect(result.ok).toBe(true);
      expect(result.userSees).toBe(`the answer to ${name}`);
      expect(callsFor(h, question)).toBe(2);
    });
  }

  // The continue word waits as long as a model call can still be running: tries, timeouts and the retry backoff.
  it('a Retry-After longer than the attempts, with short model timeouts: 继续 still gets the answer', async () => {
    const user = newUser();
    const question = 'slow retry-after, short timeouts';
    h.fake.script([{ status: 429, retryAfter: 30 }, { reply: 'worth the wait' }]);
    expect((await h.send(question, { user })).userSees).toBe(defaultTexts.thinking);
    expect((await h.send('继续', { user })).userSees).toBe('worth the wait');
  });

  it('two failures in a row: the notice of the last one, and nothing more is retried', async () => {
    const user = newUser();
    const question = 'fails twice';
    h.fake.script([{ status: 500 }, { status: 503 }]);
    const result = await h.send(question, { user });
    expect(result.userSees).toBe(notices.server);
    expect(callsFor(h, question)).toBe(2);
    await nextQuestionAnswered(h, user);
  });
});

describe('a Retry-After longer than the attempts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { llm: { maxRetries: 1, timeoutMs: 1500 } } });
  });
  afterAll(() => h.close());

  it('30 s, capped at 2 s: the thinking notice, then 继续 gets the answer, two model calls in all', async () => {
    const user = newUser();
    const question = 'slow retry-after';
    h.fake.script([{ status: 429, retryAfter: 30 }, { reply: 'worth the wait' }]);
    const first = await h.send(question, { user });
    expect(first.ok).toBe(true);
    expect(first.userSees).toBe(defaultTexts.thinking);
    const next = await h.send('继续', { user });
    expect(next.ok).toBe(true);
    expect(next.userSees).toBe('worth the wait');
    expect(callsFor(h, question)).toBe(2);
  });
});
