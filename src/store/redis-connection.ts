/** The Redis store's connections: fail-fast options, the first connect with a deadline, outage logs, closing. */
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../config.js';

/** Reconnect backoff: 100 ms more per attempt, at most this, so a Redis that comes back is used within a second. */
const MAX_RECONNECT_DELAY_MS = 1000;

export function connectionOptions({
  connectTimeoutMs,
  commandTimeoutMs,
}: {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // Fail fast instead of queueing while disconnected, and never re-run a script that may already have run.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
  };
}

/** Starts connecting and waits for 'ready'; ioredis keeps retrying in the meantime. */
export function connect(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const onReady = () => {
      clearTimeout(timer);
      redis.off('error', onError);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.off('error', onError);
      reject(new Error(lastError ? `not ready: ${lastError}` : 'not ready'));
    }, timeoutMs);
    redis.once('ready', onReady);
    redis.on('error', onError);
    redis.connect().catch(() => {});
  });
}

/** Logs an outage once when it starts and once when it ends, not every reconnect attempt. */
export function watchConnection(redis: Redis, name: string, logger: Logger, closing: () => boolean): void {
  let lost = false;
  let connected = redis.status === 'ready';
  redis.on('error', (error: Error) => logger.debug({ connection: name, err: error.message }, 'Redis error'));
  redis.on('close', () => {
    if (lost || closing()) return;
    lost = true;
    if (connected) logger.warn({ connection: name }, 'Redis connection lost; reconnecting');
    else logger.warn({ connection: name }, 'Redis not reachable yet; retrying');
  });
  redis.on('ready', () => {
    const wasLost = lost;
    lost = false;
    if (wasLost) logger.info({ connection: name }, connected ? 'Redis connection restored' : 'Redis connected');
    connected = true;
  });
}

export async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    // Not connected: stop reconnecting instead.
    redis.disconnect();
  }
}

/** The URL without its password, for messages and logs. */
export { redactUrl } from '../secrets.js';
