/**
 * 1,000 users asking at once (distinct openids, a model answering in ~50 ms) through a WeChat-like client: each gets
 * the answer or the friendly busy notice, never WeChat's error page or a 5xx; the cap on concurrent model calls holds,
 * and the server is healthy and answering afterwards. At WeChat's real timing, because the 1,000 clients share the
 * test process with the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

const USERS = 1000;
const MAX_LLM_CALLS = 32;

describe('1,000 concurrent users', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        timing: { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3 },
        limits: { maxConcurrentLlmCalls: MAX_LLM_CALLS },
      },
    });
    h.fake.setDefault((req) => ({ reply: `answer:${lastUserText(req.body as ChatBody)}`, latencyMs: 50 }));
  });
  afterAll(() => h.close());

  it('each gets the answer or the busy notice; no error page, no 5xx; the model cap holds', async () => {
    const results = await Promise.all(
      Array.from({ length: USERS }, (_, i) => h.send(`question ${i}`, { user: newUser() })),
    );
    const seen = { answered: 0, busy: 0 };
    for (const [i, result] of results.entries()) {
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      for (const attempt of result.attempts) {
        expect(attempt.outcome === 'timeout' || attempt.status === 200).toBe(true);
      }
      if (result.userSees === `answer:question ${i}`) seen.answered++;
      else {
        expect(result.userSees).toBe(defaultTexts.busy);
        seen.busy++;
      }
    }
    expect(seen.answered + seen.busy).toBe(USERS);
    expect(seen.answered).toBeGreaterThanOrEqual(MAX_LLM_CALLS);
    expect(h.fake.maxInFlight).toBeLessThanOrEqual(MAX_LLM_CALLS);
    // One model call per answered user; the busy ones cost none.
    expect(h.fake.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(seen.answered);
  });

  it('is healthy afterwards: nothing in flight, /healthz ok, a new question answered', async () => {
    await expect.poll(() => h.gpt.bot.inFlight, { timeout: 5000 }).toBe(0);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', inFlight: 0 });
    const result = await h.send('after the rush');
    expect(result.userSees).toBe('answer:after the rush');
  });
});
