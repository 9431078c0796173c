/**
 * A text message without <MsgId> (node-webot's and co-wechat's own fixtures send these): accepted, deduped on sender,
 * CreateTime and content, so WeChat's retries of it share one answer and one model call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../src/simulator/index.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

/** fetch, but every body goes out without its <MsgId> (plain mode: the signature covers the query only). */
function withoutMsgId(onAttempt: (attempt: number) => void = () => {}): typeof fetch {
  let attempts = 0;
  return (input, init) => {
    onAttempt(++attempts);
    return fetch(input, { ...init, body: String(init?.body ?? '').replace(/<MsgId>[^<]*<\/MsgId>/, '') });
  };
}

describe('a text message without MsgId', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const send = (content: string, user: string, createTime: number, onAttempt?: (attempt: number) => void) =>
    deliver({
      url: h.url,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      appId: APP_ID,
      mode: 'plain',
      message: { type: 'text', content, fromUser: user, toUser: ACCOUNT, createTime },
      timeoutMs: h.gpt.config.timing.wechatTimeoutMs,
      attempts: h.gpt.config.timing.attempts,
      fetch: withoutMsgId(onAttempt),
    });

  it('is answered once, on WeChat’s retry, with one model call', async () => {
    // The model answers only once WeChat has retried: attempt 1 times out, the retry gets the answer of the same job.
    let retried!: () => void;
    const retry = new Promise<void>((resolve) => {
      retried = resolve;
    });
    h.fake.script(async () => {
      await retry;
      return { reply: 'the answer' };
    });
    const calls = h.fake.calls;
    const result = await send('no id here', newUser(), Math.floor(Date.now() / 1000), (attempt) => {
      if (attempt === 2) retried();
    });
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe('the answer');
    expect(result.attempts.length).toBeGreaterThanOrEqual(2);
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
