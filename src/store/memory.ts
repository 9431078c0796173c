/**
 * The default store: everything in one bounded in-process map (least recently used keys go first when full) with a
 * TTL on every entry. Operations never await between reading and writing, so each one is atomic; waitForJob wakes on
 * completeJob through in-process waiters, never by polling. One process only: use the Redis store for several.
 */
import { DEFAULT_OUTBOX_TTL_MS } from '../config/defaults.js';
import {
  capAnswers,
  dropSeen,
  type QueuedAnswer,
  seenRest,
  shiftPage,
  shiftUnseen,
  summarize,
  unseenAnswer,
} from './outbox.js';
import { createTtlMap, flatString, ownString } from './ttl-map.js';
import type { CompleteOutcome, JobRecord, OutboxItem, Session, Store } from './types.js';
import { createJobWaiters } from './waiters.js';

export interface MemoryStoreOptions {
  /** Entries kept at most, all kinds together (default 200,000); beyond it the least recently used go. */
  maxKeys?: number;
  /** The clock TTLs run on (default Date.now). */
  now?: () => number;
  /** How long a user's outbox is kept after its last new answer (default 48 h, as timing.outboxTtlMs). */
  outboxTtlMs?: number;
  /** How often every expired entry is reclaimed, real ms (default 60 s). Reads and writes reclaim in between. */
  sweepIntervalMs?: number;
}

export interface MemoryStore extends Store {
  /** Entries held, expired ones not yet reclaimed included. */
  readonly size: number;
  /** Reclaims every expired entry now; returns how many. */
  sweep(): number;
}

type Stored = JobRecord | QueuedAnswer[] | string | number;

const copyJob = (job: JobRecord): JobRecord => ({ ...job });

export function createMemoryStore({
  maxKeys = 200_000,
  now = Date.now,
  outboxTtlMs = DEFAULT_OUTBOX_TTL_MS,
  sweepIntervalMs = 60_000,
}: MemoryStoreOptions = {}): MemoryStore {
  const map = createTtlMap<Stored>({ maxKeys: Math.max(1, maxKeys), now });
  const waiters = createJobWaiters();
  const sweeper = setInterval(() => map.sweep(), sweepIntervalMs);
  sweeper.unref();
  let lockTokens = 0;

  // One map for every kind: a short prefix per kind keeps keys apart and small.
  const jobKey = (key: string) => `j:${key}`;
  const outboxKey = (openid: string) => `o:${openid}`;
  const sessionKey = (openid: string) => `s:${openid}`;
  const hitKey = (key: string) => `h:${key}`;
  const valueKey = (key: string) => `v:${key}`;
  const lockKey = (key: string) => `l:${key}`;

  const readJob = (key: string) => map.get(jobKey(key)) as JobRecord | undefined;
  const readOutbox = (openid: string) => map.get(outboxKey(openid)) as QueuedAnswer[] | undefined;

  function writeOutbox(openid: string, answers: QueuedAnswer[]): void {
    if (answers.length === 0) map.delete(outboxKey(openid));
    else map.set(outboxKey(openid), answers, outboxTtlMs);
  }

  /** Runs a change on a user's outbox keeping its expiry; an emptied outbox is deleted. */
  function takeFromOutbox(openid: string, take: (answers: QueuedAnswer[]) => OutboxItem | undefined) {
    const entry = map.entry(outboxKey(openid));
    if (!entry) return undefined;
    const answers = entry.value as QueuedAnswer[];
    const item = take(answers);
    if (answers.length === 0) map.delete(outboxKey(openid));
    return item;
  }

  return {
    kind: 'memory',

    async claimAttempt(key, openid, ttlMs) {
      const job = readJob(key);
      if (job) {
        job.attempts += 1;
        return { attempt: job.attempts, job: copyJob(job) };
      }
      const created: JobRecord = {
        key: ownString(key),
        openid: ownString(openid),
        status: 'pending',
        attempts: 1,
        createdAt: now(),
      };
      map.set(jobKey(key), created, ttlMs);
      return { attempt: 1, job: copyJob(created) };
    },

    async getJob(key) {
      const job = readJob(key);
      return job && copyJob(job);
    },

    async completeJob(key, result, ttlMs): Promise<CompleteOutcome> {
      const job = readJob(key);
      // Unknown (expired, or never claimed): there is no user to give the answer to.
      if (!job || job.status === 'done') return 'ignored';
      const deferred = job.status === 'deferred';
      const stored =
        result.question === undefined ? { ...result } : { ...result, question: ownString(result.question) };
      job.status = 'done';
      job.result = stored;
      map.set(jobKey(key), job, ttlMs);
      if (deferred) {
        writeOutbox(job.openid, capAnswers([...(readOutbox(job.openid) ?? []), unseenAnswer(job.key, stored)]));
      } else if (result.morePages?.length) {
        // The user now reads this answer: its rest replaces the rest of answers seen before.
        writeOutbox(job.openid, [...dropSeen(readOutbox(job.openid) ?? []), seenRest(job.key, result.morePages)]);
      }
      waiters.notify(key, job);
      return deferred ? 'outboxed' : 'stored';
    },

    async deferJob(key) {
      const job = readJob(key);
      if (!job) return undefined;
      if (job.status === 'pending') job.status = 'deferred';
      return copyJob(job);
    },

    async markDelivered(key, by) {
      const job = readJob(key);
      if (job) job.deliveredBy = by;
    },

    async waitForJob(key, timeoutMs, signal) {
      const job = readJob(key);
      if (job?.status === 'done') return copyJob(job);
      if (signal?.aborted || timeoutMs <= 0) return undefined;
      return waiters.wait(key, timeoutMs, signal).promise;
    },

    async shiftOutbox(openid) {
      return takeFromOutbox(openid, shiftPage);
    },

    async shiftUnseenAnswer(openid) {
      return takeFromOutbox(openid, shiftUnseen);
    },

    async dropSeenAnswers(openid) {
      const entry = map.entry(outboxKey(openid));
      if (!entry) return;
      const kept = dropSeen(entry.value as QueuedAnswer[]);
      if (kept.length === 0) map.delete(outboxKey(openid));
      else entry.value = kept;
    },

    async summarizeOutbox(openid) {
      return summarize(readOutbox(openid));
    },

    async clearOutbox(openid) {
      map.delete(outboxKey(openid));
    },

    async getSession(openid) {
      const json = map.get(sessionKey(openid)) as string | undefined;
      return json === undefined ? undefined : (JSON.parse(json) as Session);
    },

    async setSession(openid, session, ttlMs) {
      // As JSON: smaller than the objects for many idle users, and no caller can change a stored session in place.
      map.set(sessionKey(openid), flatString(JSON.stringify(session)), ttlMs);
    },

    async deleteSession(openid) {
      map.delete(sessionKey(openid));
    },

    async hit(key, windowMs) {
      const entry = map.entry(hitKey(key));
      if (!entry) {
        map.set(hitKey(key), 1, windowMs);
        return 1;
      }
      entry.value = (entry.value as number) + 1;
      return entry.value;
    },

    async getValue(key) {
      return map.get(valueKey(key)) as string | undefined;
    },

    async setValue(key, value, ttlMs) {
      map.set(valueKey(key), ownString(value), ttlMs);
    },

    async deleteValue(key) {
      map.delete(valueKey(key));
    },

    async tryLock(key, ttlMs) {
      if (map.entry(lockKey(key))) return undefined;
      const token = String(++lockTokens);
      map.set(lockKey(key), token, ttlMs);
      return async function release() {
        // Only the holder's token releases: after expiry someone else may hold the lock.
        if (map.get(lockKey(key)) === token) map.delete(lockKey(key));
      };
    },

    async ping() {},

    async close() {
      clearInterval(sweeper);
      waiters.closeAll();
      map.clear();
    },

    get size() {
      return map.size;
    },

    sweep: () => map.sweep(),
  };
}
