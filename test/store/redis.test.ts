// The Redis store: the shared contract against the real redis-server from global-setup, instances sharing one
// Redis, and outages of a private redis-server (killed, frozen, restarted on the same port).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { createRedisStore, type RedisStoreOptions } from '../../src/store/redis.js';
import type { Store } from '../../src/store/types.js';
import { freePort, type RedisProcess, sendCommand, startRedisProcess } from './redis-process.js';
import { runStoreContract, take } from './store.contract.js';

const redisUrl = inject('redisUrl');
let prefixes = 0;
/** A key prefix of its own per store set, so tests never see each other's keys. */
const uniquePrefix = () => `wgtest:${process.pid}:${Date.now()}:${++prefixes}:`;

function sharedRedis(): string {
  if (!redisUrl) throw new Error('redis-server is not running (see the global-setup message): install redis-server.');
  return redisUrl;
}

const opened: Store[] = [];
async function open(options: Partial<RedisStoreOptions> & { keyPrefix: string }): Promise<Store> {
  const store = await createRedisStore({ url: sharedRedis(), ...options });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

runStoreContract('redis', async ({ outboxTtlMs }) => {
  const options = { url: sharedRedis(), keyPrefix: uniquePrefix(), ...(outboxTtlMs ? { outboxTtlMs } : {}) };
  // Two stores on one Redis: the second plays another instance of the bot.
  const [store, peer] = await Promise.all([createRedisStore(options), createRedisStore(options)]);
  return { store, peer };
});

/** Retries until the operation succeeds (Redis coming back), failing after timeoutMs. */
async function eventually<T>(operation: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function expectFastStoreError(operation: () => Promise<unknown>, withinMs: number): Promise<void> {
  const started = Date.now();
  const error = await operation().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('STORE_UNAVAILABLE');
  expect(Date.now() - started).toBeLessThan(withinMs);
}

describe('redis store', () => {
  it('lets instances on one Redis see each other’s jobs and wake each other’s waiters', async () => {
    const keyPrefix = uniquePrefix();
    const [a, b] = await Promise.all([open({ keyPrefix }), open({ keyPrefix })]);
    const other = await open({ keyPrefix: uniquePrefix() });

    await a.claimAttempt('job-1', 'oShared', 10_000);
    expect(await b.getJob('job-1')).toMatchObject({ openid: 'oShared', status: 'pending' });
    expect(await other.getJob('job-1')).toBeUndefined();

    const started = Date.now();
    const onB = b.waitForJob('job-1', 5000);
    const elsewhere = other.waitForJob('job-1', 300);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      await a.completeJob(
        'job-1',
        { reply: { type: 'text', content: 'hi' }, meta: { source: 'test' } },
        { ttlMs: 10_000 },
      ),
    ).toBe('stored');
    expect(await onB).toMatchObject({
      status: 'done',
      result: { reply: { type: 'text', content: 'hi' }, meta: { source: 'test' } },
    });
    expect(Date.now() - started).toBeLessThan(500);
    // Another key prefix is another bot: its waiter is not woken.
    expect(await elsewhere).toBeUndefined();

    await b.claimAttempt('job-2', 'oShared', 10_000);
    const onA = a.waitForJob('job-2', 5000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await b.deferJob('job-2');
    expect(
      await b.completeJob(
        'job-2',
        { reply: { type: 'text', content: 'later' }, meta: { source: 'test' } },
        { ttlMs: 10_000 },
      ),
    ).toBe('outboxed');
    expect(await onA).toMatchObject({ status: 'done' });
    expect(await take(a, 'oShared')).toMatchObject({ answerId: 'job-2', unseen: true });
  });

  it('keeps replies byte for byte through the outbox (no re-encoding in Lua)', async () => {
    const store = await open({ keyPrefix: uniquePrefix() });
    const content = `长答案 ${'🙂'.repeat(3)} "quotes" \\ slash ${'x'.repeat(10)} 1234567890123456789`;
    await store.claimAttempt('job', 'oBytes', 10_000);
    await store.deferJob('job');
    const news = { type: 'news' as const, articles: [] };
    await store.completeJob(
      'job',
      { reply: { type: 'text', content }, morePages: [news], question: '问？', meta: { source: 'test' } },
      { ttlMs: 10_000 },
    );
    expect(await take(store, 'oBytes')).toMatchObject({ reply: { type: 'text', content }, question: '问？' });
    expect((await take(store, 'oBytes'))?.reply).toEqual(news);
  });

  it('ends pending waits when closed', async () => {
    const store = await createRedisStore({ url: sharedRedis(), keyPrefix: uniquePrefix() });
    await store.claimAttempt('job', 'oClose', 10_000);
    const waiting = store.waitForJob('job', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.close();
    expect(await waiting).toBeUndefined();
    await expectFastStoreError(() => store.ping(), 1000);
  });

  it('fails with a StoreError when Redis cannot be reached at start', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await createRedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(`127.0.0.1:${port}`);
    expect((error as StoreError).hint).toMatch(/REDIS_URL/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('outages', () => {
    const servers: RedisProcess[] = [];
    async function privateRedis(): Promise<RedisProcess> {
      const server = await startRedisProcess();
      servers.push(server);
      return server;
    }
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => server.dispose()));
    });

    it('fails fast while Redis is down and works again, same store, once it is back', async () => {
      const server = await privateRedis();
      const keyPrefix = uniquePrefix();
      const logs: string[] = [];
      const record = (level: string) => (fields: object, message?: string) => {
        if (level !== 'debug') logs.push(`${level} ${message} ${JSON.stringify(fields)}`);
      };
      const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
      const store = await createRedisStore({ url: server.url, keyPrefix, logger });
      const peer = await createRedisStore({ url: server.url, keyPrefix });
      opened.push(peer);
      await store.setValue('k', 'before', 60_000);
      expect(await peer.getValue('k')).toBe('before');

      await server.stop();
      await expectFastStoreError(() => store.ping(), 1000);
      await expectFastStoreError(() => store.getValue('k'), 1000);
      await expectFastStoreError(() => store.claimAttempt('job', 'oDown', 10_000), 1000);
      await expectFastStoreError(() => store.waitForJob('job', 5000), 1000);
      await expectFastStoreError(() => take(store, 'oDown'), 1000);
      await expectFastStoreError(() => peer.setSession('oDown', { turns: [], updatedAt: 1 }, 10_000), 1000);

      await server.start();
      await eventually(() => store.ping());
      await eventually(() => peer.ping());
      await store.setValue('k', 'after', 60_000);
      expect(await peer.getValue('k')).toBe('after');

      // The subscriber is back too: a waiter on one instance wakes on the other's completion.
      await store.claimAttempt('job', 'oUp', 10_000);
      const started = Date.now();
      const waiting = store.waitForJob('job', 5000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(
        await peer.completeJob(
          'job',
          { reply: { type: 'text', content: 'back' }, meta: { source: 'test' } },
          { ttlMs: 10_000 },
        ),
      ).toBe('stored');
      expect(await waiting).toMatchObject({ status: 'done' });
      expect(Date.now() - started).toBeLessThan(2000);

      // One warning per connection when the outage starts, one note when it ends, nothing on a deliberate close.
      await store.close();
      expect(logs.sort()).toEqual([
        'info Redis connection restored {"connection":"commands"}',
        'info Redis connection restored {"connection":"subscriber"}',
        'warn Redis connection lost; reconnecting {"connection":"commands"}',
        'warn Redis connection lost; reconnecting {"connection":"subscriber"}',
      ]);
    });

    it('wakes a waiter whose completion was published while only its subscriber was disconnected', async () => {
      const server = await privateRedis();
      const keyPrefix = uniquePrefix();
      const store = await createRedisStore({ url: server.url, keyPrefix });
      const peer = await createRedisStore({ url: server.url, keyPrefix });
      opened.push(store, peer);
      await store.claimAttempt('job', 'oGap', 10_000);
      const started = Date.now();
      const waiting = store.waitForJob('job', 5000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Drops both subscribers; ioredis reconnects them after its backoff, so this PUBLISH reaches nobody.
      expect(await sendCommand(server.port, 'CLIENT KILL TYPE pubsub')).toMatch(/^:2/);
      expect(
        await peer.completeJob(
          'job',
          { reply: { type: 'text', content: 'in the gap' }, meta: { source: 'test' } },
          { ttlMs: 10_000 },
        ),
      ).toBe('stored');
      expect(await waiting).toMatchObject({ status: 'done', result: { reply: { content: 'in the gap' } } });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('fails within the command timeout when Redis stops answering, and recovers', async () => {
      const server = await privateRedis();
      const store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix(), commandTimeoutMs: 200 });
      opened.push(store);
      await store.setValue('k', 'v', 60_000);
      server.freeze();
      try {
        await expectFastStoreError(() => store.getValue('k'), 1000);
        await expectFastStoreError(() => store.hit('rate', 60_000), 1000);
      } finally {
        server.thaw();
      }
      expect(await eventually(() => store.getValue('k'))).toBe('v');
    });
  });
});
