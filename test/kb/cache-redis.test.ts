/**
 * The answer cache shared across instances: two bots (each its own createWechatGpt and Redis connection) on one
 * private redis-server. A first-turn answer produced by one is reused by the other with no model call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/store/redis.js';
import { type RedisProcess, startRedisProcess } from '../store/redis-process.js';
import { newUser, startHarness } from '../support/harness.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedisProcess();
});
afterAll(async () => {
  await redis.dispose();
});

const TIMING = { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3 };

describe('the answer cache on Redis', () => {
  it('an answer cached by one instance is reused by another: attempt 1, no model call there', async () => {
    const [storeA, storeB] = await Promise.all([
      createRedisStore({ url: redis.url, keyPrefix: 'cache-test:' }),
      createRedisStore({ url: redis.url, keyPrefix: 'cache-test:' }),
    ]);
    const a = await startHarness({ config: { store: storeA, cache: { ttlMs: 60_000 }, timing: TIMING } });
    const b = await startHarness({ config: { store: storeB, cache: { ttlMs: 60_000 }, timing: TIMING } });
    try {
      a.fake.setDefault({ reply: '我们周一到周五九点开门。' });
      expect((await a.send('你们几点开门？', { user: newUser() })).userSees).toBe('我们周一到周五九点开门。');
      const reused = await b.send('你们几点开门', { user: newUser() });
      expect(reused.userSees).toBe('我们周一到周五九点开门。');
      expect(reused.attempts).toHaveLength(1);
      expect(b.records.at(-1)).toMatchObject({ source: 'cache', attempt: 1 });
      expect(b.fake.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(0);
    } finally {
      await a.close();
      await b.close();
      await Promise.all([storeA.close(), storeB.close()]);
    }
  });
});
