/** doctor's Redis check: connect once (no retries), PING round-trip, the server's version. Skipped without REDIS_URL. */
import { redactUrl } from '../secrets.js';
import { type Check, fail, ok, skip } from './types.js';

export interface RedisCheckOptions {
  url?: string | undefined;
  timeoutMs: number;
}

export function redisCheck({ url, timeoutMs }: RedisCheckOptions): Check {
  return {
    id: 'redis',
    async run(signal) {
      if (!url)
        return skip('REDIS_URL is not set: state lives in memory (one instance; waiting answers saved on stop)');
      const shown = redactUrl(url);
      const { Redis } = await import('ioredis');
      const redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        // One try: doctor reports what it finds instead of waiting for a Redis that may come back.
        retryStrategy: () => null,
      });
      // ioredis rejects connect() with "Connection is closed."; the socket's own error says why.
      let socketError: string | undefined;
      redis.on('error', (error: Error) => {
        socketError ??= error.message;
      });
      const onAbort = () => redis.disconnect();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        try {
          await redis.connect();
        } catch (error) {
          return fail(
            `cannot connect to ${shown} (${socketError ?? (error as Error).message})`,
            'Start Redis, or fix REDIS_URL (redis://[:password@]host:port): serve refuses to start without it.',
          );
        }
        const started = performance.now();
        const pong = await redis.ping();
        const latencyMs = Math.round((performance.now() - started) * 10) / 10;
        if (pong !== 'PONG') return fail(`${shown} answered PING with ${pong}`);
        const version = /^redis_version:(.+)$/m.exec(await redis.info('server'))?.[1]?.trim();
        return ok(`${shown} answers PING${version ? ` (Redis ${version})` : ''}`, { latencyMs });
      } finally {
        signal.removeEventListener('abort', onAbort);
        redis.disconnect();
      }
    },
  };
}
