/**
 * A text message without <MsgId> (node-webot's and co-wechat's own fixtures send these): accepted, deduped on sender,
 * CreateTime and content, so WeChat's retries of it share one answer and one model call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../src/simulator/index.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

/** fetch, but every body goes out without its <MsgId> (plain mode: the signature covers the query only). */
const withoutMsgId: typeof fetch = (input, init) =>
  fetch(input, { ...init, body: String(init?.body ?? '').replace(/<MsgId>[^<]*<\/MsgId>/, '') });

describe('a text message without MsgId', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const send = (content: string, user: string, createTime: number) =>
    deliver({
      url: h.url,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      appId: APP_ID,
      mode: 'plain',
      message: { type: 'text', content, fromUser: user, toUser: ACCOUNT, createTime },
      timeoutMs: h.gpt.config.timing.wechatTimeoutMs,
      attempts: h.gpt.config.timing.attempts,
      fetch: withoutMsgId,
    });

  it('is answered once, on WeChat’s retry, with one model call', async () => {
    // Slower than WeChat's (compressed) 500 ms: attempt 1 times out, attempt 2 gets the answer.
    h.fake.script({ reply: 'the answer', latencyMs: 700 });
    const calls = h.fake.calls;
    const result = await send('no id here', newUser(), Math.floor(Date.now() / 1000));
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe('the answer');
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'reply']);
    expect(h.fake.calls - calls).toBe(1);
  });

  it('two different texts from one user in the same second are two messages', async () => {
    h.fake.script([{ reply: 'first' }, { reply: 'second' }]);
    const user = newUser();
    const second = Math.floor(Date.now() / 1000);
    expect((await send('one', user, second)).userSees).toBe('first');
    expect((await send('two', user, second)).userSees).toBe('second');
  });
});
