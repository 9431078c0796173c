/**
 * The access_token: fetched with stable_token, kept in the store so every instance shares one, refreshed before it
 * expires, and fetched by one caller at a time (in this process by sharing the request, across instances by a lock).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../config.js';
import type { Store } from '../store/types.js';
import { unreachableError } from './errors.js';
import { type Exchange, readJson } from './http.js';
import type { Redactor } from './redact.js';

export interface AccessTokenOptions {
  appId: string;
  appSecret: string;
  store: Store;
  exchange: Exchange;
  redactor: Redactor;
  logger: Logger;
  now: () => number;
  /** Refresh this long before WeChat's expiry (capped at half the token's lifetime). */
  refreshMarginMs: number;
  /** How long to wait for another instance that holds the refresh lock before fetching anyway. */
  lockWaitMs: number;
  /** How often to re-read the store while another instance refreshes. */
  lockPollMs: number;
}

export interface TokenRequestOptions {
  /** Fetch a new token even if the cached one looks fine (stable_token force_refresh: rate-limited by WeChat). */
  forceRefresh?: boolean;
  signal?: AbortSignal;
}

export interface AccessTokens {
  getAccessToken(options?: TokenRequestOptions): Promise<string>;
  /** A token other than `rejected`: the one another caller already fetched, or a forced refresh. */
  renewAccessToken(rejected: string, signal?: AbortSignal): Promise<string>;
}

interface CachedToken {
  accessToken: string;
  /** Epoch ms (our clock) when WeChat stops accepting it. */
  expiresAt: number;
  /** Epoch ms from which we fetch a new one. */
  refreshAt: number;
}

/** Store keys, namespaced by AppID so several accounts can share one Redis. */
export function accessTokenKeys(appId: string) {
  return { value: `wechat:access_token:${appId}`, lock: `wechat:access_token:${appId}:lock` };
}

export function createAccessTokens({
  appId,
  appSecret,
  store,
  exchange,
  redactor,
  logger,
  now,
  refreshMarginMs,
  lockWaitMs,
  lockPollMs,
}: AccessTokenOptions): AccessTokens {
  const keys = accessTokenKeys(appId);
  const readAnswer = readJson(redactor);
  // Used only when the store cannot be read, so a Redis outage does not mean one token fetch per API call.
  let local: CachedToken | undefined;
  let inflight: { promise: Promise<string>; force: boolean } | undefined;

  /** The cached token if it is not yet due for a refresh (and is not `stale`, a token known to be refused). */
  const freshToken = (cached: CachedToken | undefined, stale?: string): string | undefined =>
    cached && now() < cached.refreshAt && cached.accessToken !== stale ? cached.accessToken : undefined;

  async function readCache(): Promise<CachedToken | undefined> {
    try {
      const raw = await store.getValue(keys.value);
      return raw === undefined ? undefined : parseCached(raw);
    } catch (error) {
      logger.warn(
        { appId, err: errorText(error) },
        'cannot read the access_token from the store; using this process’s copy',
      );
      return local;
    }
  }

  async function fetchAndStore(force: boolean): Promise<string> {
    const answer = await exchange(
      '/cgi-bin/stable_token',
      { json: { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: force } },
      readAnswer<{ access_token?: unknown; expires_in?: unknown }>,
    );
    const { access_token: accessToken, expires_in: expiresIn } = answer;
    if (typeof accessToken !== 'string' || !accessToken || typeof expiresIn !== 'number' || expiresIn <= 0) {
      throw unreachableError('The WeChat API answered stable_token without an access_token.');
    }
    redactor.add(accessToken);
    const lifetimeMs = expiresIn * 1000;
    const fetchedAt = now();
    const cached: CachedToken = {
      accessToken,
      expiresAt: fetchedAt + lifetimeMs,
      refreshAt: fetchedAt + lifetimeMs - Math.min(refreshMarginMs, lifetimeMs / 2),
    };
    local = cached;
    try {
      // Kept until WeChat's expiry, not just the refresh point: if a refresh fails, the old token still serves.
      await store.setValue(keys.value, JSON.stringify(cached), lifetimeMs);
    } catch (error) {
      logger.warn({ appId, err: errorText(error) }, 'cannot save the access_token in the store');
    }
    logger.info({ appId, expiresInSec: expiresIn, forced: force }, 'fetched a new WeChat access_token');
    return accessToken;
  }

  /** Fetches under the store's lock; while another instance holds it, waits for the token it stores. */
  async function fetchAcrossInstances(force: boolean, stale: string | undefined): Promise<string> {
    const maxPolls = Math.ceil(lockWaitMs / lockPollMs);
    for (let poll = 0; ; poll++) {
      const release = await lock();
      if (release) {
        try {
          // The holder we waited for may have stored a token just before letting go.
          if (poll > 0) {
            const token = freshToken(await readCache(), stale);
            if (token) return token;
          }
          return await fetchAndStore(force);
        } finally {
          await release().catch(() => {});
        }
      }
      if (poll >= maxPolls) {
        logger.warn(
          { appId, waitedMs: lockWaitMs },
          'another instance holds the access_token lock too long; fetching anyway',
        );
        return fetchAndStore(force);
      }
      await delay(lockPollMs);
      const token = freshToken(await readCache(), stale);
      if (token) return token;
    }
  }

  async function lock(): Promise<(() => Promise<void>) | undefined> {
    try {
      // The lease outlives a slow fetch, and ends by itself if its holder dies.
      return await store.tryLock(keys.lock, lockWaitMs + 1000);
    } catch (error) {
      logger.warn({ appId, err: errorText(error) }, 'cannot take the access_token lock in the store; fetching anyway');
      return async () => {};
    }
  }

  /** One fetch per process at a time: callers join the one in flight (a forced request does not join a plain one). */
  function shared(force: boolean, stale: string | undefined, current?: CachedToken): Promise<string> {
    if (inflight && (inflight.force || !force)) return inflight.promise;
    const previous = inflight?.promise.catch(() => undefined);
    const promise: Promise<string> = (async () => {
      const token = await previous;
      if (token !== undefined && token !== stale) return token;
      try {
        return await fetchAcrossInstances(force, stale);
      } catch (error) {
        // Past the refresh point the current token still works until WeChat's expiry: better than failing calls.
        if (!current || now() >= current.expiresAt) throw error;
        logger.warn(
          { appId, err: errorText(error) },
          'cannot refresh the access_token; using the current one until it expires',
        );
        return current.accessToken;
      }
    })().finally(() => {
      if (inflight?.promise === promise) inflight = undefined;
    });
    inflight = { promise, force };
    return promise;
  }

  return {
    async getAccessToken({ forceRefresh = false, signal } = {}) {
      signal?.throwIfAborted();
      if (inflight && !forceRefresh) return abortable(inflight.promise, signal);
      const cached = await readCache();
      if (forceRefresh) return abortable(shared(true, cached?.accessToken), signal);
      const token = freshToken(cached);
      if (token) return token;
      return abortable(shared(false, undefined, cached), signal);
    },

    async renewAccessToken(rejected, signal) {
      signal?.throwIfAborted();
      const token = freshToken(await readCache(), rejected);
      if (token) return token;
      return abortable(shared(true, rejected), signal);
    },
  };
}

function parseCached(raw: string): CachedToken | undefined {
  try {
    const value = JSON.parse(raw) as Partial<CachedToken>;
    if (
      typeof value.accessToken !== 'string' ||
      typeof value.expiresAt !== 'number' ||
      typeof value.refreshAt !== 'number'
    ) {
      return undefined;
    }
    return { accessToken: value.accessToken, expiresAt: value.expiresAt, refreshAt: value.refreshAt };
  } catch {
    return undefined;
  }
}

/** The shared fetch goes on for the other callers; this caller stops waiting when its signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
