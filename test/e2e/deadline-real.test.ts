/**
 * One end-to-end run of WeChat's rule at its real timing (5 s timeout, 4.5 s budget): the rest of the suite runs it on
 * a compressed clock. A model that takes 6 s is answered on WeChat's second attempt, with one model call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, newUser, startHarness } from '../support/harness.js';

describe('the 5-second rule at real timing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { timing: { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3 } } });
  });
  afterAll(() => h.close());

  it('a 6 s answer: attempt 1 held until WeChat drops it at 5 s, attempt 2 gets the answer', async () => {
    h.fake.script({ reply: '想了六秒的回答', latencyMs: 6000 });
    const result = await h.send('慢慢想', { user: newUser() });
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'reply']);
    expect(result.userSees).toBe('想了六秒的回答');
    expect(h.fake.calls).toBe(1);
  }, 20_000);
});
