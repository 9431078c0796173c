/**
 * The default store: everything in bounded in-process maps, one per kind under one bound (least recently used keys go
 * first when full), with a TTL on every entry. Operations never await between reading and writing, so each one is
 * atomic; waitForJob wakes on completeJob through in-process waiters, never by polling. One process only: use the
 * Redis store for several.
 */
import { DEFAULT_OUTBOX_TTL_MS } from '../config/defaults.js';
import { ownString } from '../own-string.js';
import { shallowCopy } from '../shallow-copy.js';
import { appendedSession } from './appended-session.js';
import { copyResult } from './copy-result.js';
import { HitCounters } from './hit-counters.js';
import {
  capAnswers,
  claimedFragment,
  dropSeen,
  type QueuedAnswer,
  restoreFragment,
  seenRest,
  shiftPage,
  shiftUnseen,
  summarize,
  unseenAnswer,
} from './outbox.js';
import { createTtlTables } from './ttl-map.js';
import type {
  ChatContentPart,
  ChatTurn,
  CompleteOutcome,
  JobRecord,
  OutboxClaim,
  OutboxHandover,
  OutboxItem,
  Session,
  Store,
} from './types.js';
import { createJobWaiters } from './waiters.js';

export interface MemoryStoreOptions {
  /**
   * Entries kept at most, all kinds together (default 200,000); beyond it the least recently used go. The rate
   * counters of hit() have a bound of their own, the same number: past it the oldest counters go a window early.
   */
  maxKeys?: number;
  /** The clock TTLs run on (default Date.now). */
  now?: () => number;
  /** How long a user's outbox is kept after its last new answer (default 48 h, as timing.outboxTtlMs). */
  outboxTtlMs?: number;
  /** How often every expired entry is reclaimed, real ms (default 60 s). Reads and writes reclaim in between. */
  sweepIntervalMs?: number;
}

/** What a memory store keeps across a restart (serve writes it to .wechat-gpt/ on shutdown). */
export interface MemorySnapshot {
  version: 1;
  /** Epoch ms when taken: expiries are stored as they were. */
  takenAt: number;
  outboxes: { openid: string; expiresAt: number; answers: QueuedAnswer[] }[];
  pending: { openid: string; expiresAt: number; keys: string[] }[];
  sessions: { openid: string; expiresAt: number; json: string }[];
}

export interface MemoryStore extends Store {
  /** Waiting answers (claims not acknowledged put back), pending marks and conversations. */
  snapshot(): MemorySnapshot;
  /** Loads a snapshot taken by a store that has stopped; entries already expired are skipped. */
  restore(snapshot: MemorySnapshot): void;
  /** Entries held, expired ones not yet reclaimed included. */
  readonly size: number;
  /** Reclaims every expired entry now; returns how many (rate counters are let go by generation, not counted). */
  sweep(): number;
  /** Forgets everything, as a Redis restarted without persistence does (waiters keep waiting). */
  flush(): void;
}

interface ClaimedPage {
  claimId: string;
  until: number;
  fragment: QueuedAnswer;
}

/**
 * A copy of a record, field by field: a literal of one shape, several times cheaper than Object.assign (which walks
 * the source's properties generically). The type lists every field, so a new one cannot be left out.
 */
const copyJob = (job: JobRecord): JobRecord =>
  ({
    key: job.key,
    openid: job.openid,
    status: job.status,
    attempts: job.attempts,
    createdAt: job.createdAt,
    result: job.result,
    deliveredBy: job.deliveredBy,
    leaseUntil: job.leaseUntil,
  }) satisfies Record<keyof JobRecord, unknown>;

/**
 * A turn's copy, field by field. `own` gives its text memory of its own (the store's copy: a question read from a
 * request is a slice of the body, which it would otherwise keep alive); a copy read out shares the kept strings.
 */
function copyTurn(turn: ChatTurn, own: boolean): ChatTurn {
  const { content } = turn;
  return {
    role: turn.role,
    content:
      typeof content === 'string'
        ? own
          ? ownString(content)
          : content
        : content.map(
            (part): ChatContentPart =>
              part.type === 'text'
                ? { type: 'text', text: own ? ownString(part.text) : part.text }
                : { type: 'image_url', imageUrl: own ? ownString(part.imageUrl) : part.imageUrl },
          ),
    at: turn.at,
  } satisfies Record<keyof ChatTurn, unknown>;
}

/**
 * A conversation's copy: objects of its own, so no caller can change a kept conversation in place, nor the copy it
 * was given change the store's. As small as its JSON (a two-byte string once it holds any Chinese) and several times
 * cheaper to make than a JSON round trip, which cost the model path more than any other store call.
 */
function copySession(session: Session, own: boolean): Session {
  // map makes the array at its length: pushing into [] would leave room for 16 turns in every conversation kept.
  const turns = session.turns.map((turn) => copyTurn(turn, own));
  return { turns, updatedAt: session.updatedAt } satisfies Record<keyof Session, unknown>;
}

export function createMemoryStore({
  maxKeys = 200_000,
  now = Date.now,
  outboxTtlMs = DEFAULT_OUTBOX_TTL_MS,
  sweepIntervalMs = 60_000,
}: MemoryStoreOptions = {}): MemoryStore {
  const tables = createTtlTables({ maxKeys: Math.max(1, maxKeys), now });
  // A table per kind, keyed by the caller's own string (an openid, a job key): no prefixed copy to build and hash.
  const jobs = tables.table<JobRecord>();
  const outboxes = tables.table<QueuedAnswer[]>();
  const claimed = tables.table<ClaimedPage[]>();
  const pending = tables.table<string[]>();
  const sessions = tables.table<Session>();
  // Rate counters: one per user on every message's fast path, so packed integers rather than table entries.
  const hits = new HitCounters(now, Math.max(1, maxKeys));
  const tallies = tables.table<Map<string, number>>();
  const values = tables.table<string>();
  const locks = tables.table<string>();
  const waiters = createJobWaiters();
  const sweep = () => {
    hits.sweep();
    return tables.sweep();
  };
  const sweeper = setInterval(sweep, sweepIntervalMs);
  sweeper.unref();
  let lockTokens = 0;
  let claimIds = 0;

  function writeOutbox(openid: string, answers: QueuedAnswer[]): void {
    if (answers.length === 0) outboxes.delete(openid);
    else outboxes.set(openid, answers, outboxTtlMs);
  }

  /**
   * Keeps a new job record. Every field is there from the start (one shape, no property store growing later), and its
   * key is the table's own copy: the record holds no second one. Called only where the key was just looked up and
   * not found.
   */
  function addJob(key: string, openid: string, status: JobRecord['status'], attempts: number, ttlMs: number) {
    const job: JobRecord = {
      key,
      openid: ownString(openid),
      status,
      attempts,
      createdAt: now(),
      result: undefined,
      deliveredBy: undefined,
      leaseUntil: undefined,
    };
    job.key = jobs.add(key, job, ttlMs).key;
    return job;
  }

  /** Puts back, in front and in order, the pages whose claims ran out unacknowledged (all of them: at shutdown). */
  function restoreExpiredClaims(openid: string, all = false): void {
    const claims = claimed.get(openid);
    if (!claims) return;
    const time = now();
    const expired = all ? [...claims] : claims.filter((claim) => claim.until <= time);
    if (expired.length === 0) return;
    const kept = all ? [] : claims.filter((claim) => claim.until > time);
    if (kept.length) claimed.set(openid, kept, Math.max(...kept.map((claim) => claim.until)) - time);
    else claimed.delete(openid);
    const answers = outboxes.get(openid) ?? [];
    for (const claim of expired.reverse()) restoreFragment(answers, claim.fragment);
    writeOutbox(openid, answers);
  }

  /**
   * Takes a page from a user's outbox (keeping its expiry) under a claim; an emptied outbox is deleted. With
   * dropSeenFirst, the pages left of seen answers go first.
   */
  function claimFrom(
    openid: string,
    leaseMs: number,
    take: (answers: QueuedAnswer[]) => OutboxItem | undefined,
    dropSeenFirst = false,
  ): OutboxClaim | undefined {
    restoreExpiredClaims(openid);
    const entry = outboxes.entry(openid);
    if (!entry) return undefined;
    if (dropSeenFirst) entry.value = dropSeen(entry.value);
    const answers = entry.value;
    const item = take(answers);
    if (answers.length === 0) outboxes.delete(openid);
    if (!item) return undefined;
    const claim: ClaimedPage = { claimId: `m${++claimIds}`, until: now() + leaseMs, fragment: claimedFragment(item) };
    const claims = [...(claimed.get(openid) ?? []), claim];
    claimed.set(openid, claims, Math.max(...claims.map((c) => c.until)) - now() + outboxTtlMs);
    return shallowCopy(item, { claimId: claim.claimId });
  }

  function addPending(openid: string, key: string): void {
    const keys = pending.get(openid) ?? [];
    if (!keys.includes(key)) pending.set(openid, [...keys, ownString(key)], outboxTtlMs);
  }

  function removePending(openid: string, key: string): void {
    const entry = pending.entry(openid);
    if (!entry) return;
    const keys = entry.value.filter((pending) => pending !== key);
    if (keys.length === 0) pending.delete(openid);
    else entry.value = keys;
  }

  /** Appends a done job's answer to its user's outbox as unseen (once), and settles the user's pending mark. */
  function outboxAnswer(job: JobRecord): void {
    if (!job.result) return;
    writeOutbox(job.openid, capAnswers([...(outboxes.get(job.openid) ?? []), unseenAnswer(job.key, job.result)]));
    job.deliveredBy = 'outbox';
    removePending(job.openid, job.key);
  }

  return {
    kind: 'memory',
    inProcess: true,

    async claimAttempt(key, openid, ttlMs) {
      const job = jobs.get(key);
      if (job) {
        job.attempts += 1;
        return { attempt: job.attempts, job: copyJob(job) };
      }
      return { attempt: 1, job: copyJob(addJob(key, openid, 'pending', 1, ttlMs)) };
    },

    async getJob(key) {
      const job = jobs.get(key);
      return job && copyJob(job);
    },

    async completeJob(key, result, { ttlMs, openid, deferred: deferredHere = false }): Promise<CompleteOutcome> {
      const entry = jobs.entry(key);
      if (entry?.value.status === 'done') return 'ignored';
      let job: JobRecord;
      if (entry) {
        job = entry.value;
        jobs.renew(entry, job, ttlMs);
      } else {
        // The record is gone (expired, or a store that lost its data): recreate it when the user is known.
        if (openid === undefined) return 'ignored';
        job = addJob(key, openid, 'pending', 1, ttlMs);
      }
      const deferred = deferredHere || job.status === 'deferred';
      const stored = copyResult(result, result.question === undefined ? undefined : ownString(result.question));
      job.status = 'done';
      job.result = stored;
      if (deferred) outboxAnswer(job);
      else if (result.morePages?.length) {
        // The user now reads this answer: its rest replaces the rest of answers seen before.
        writeOutbox(job.openid, [...dropSeen(outboxes.get(job.openid) ?? []), seenRest(job.key, result.morePages)]);
      }
      waiters.notify(key, job);
      return deferred ? 'outboxed' : 'stored';
    },

    async deferJob(key) {
      const job = jobs.get(key);
      if (!job) return undefined;
      if (job.status === 'pending') job.status = 'deferred';
      return copyJob(job);
    },

    async sendToOutbox(key, openid, ttlMs): Promise<OutboxHandover> {
      const job = jobs.get(key);
      if (!job) {
        addJob(key, openid, 'deferred', 0, ttlMs);
        addPending(openid, key);
        return 'deferred';
      }
      if (job.status !== 'done') {
        job.status = 'deferred';
        addPending(job.openid, key);
        return 'deferred';
      }
      if (job.deliveredBy !== undefined) return 'delivered';
      outboxAnswer(job);
      return 'outboxed';
    },

    async renewLease(key, { openid, leaseMs, ttlMs }) {
      const job = jobs.get(key);
      if (!job) addJob(key, openid, 'pending', 1, ttlMs).leaseUntil = now() + leaseMs;
      else if (job.status !== 'done') job.leaseUntil = now() + leaseMs;
    },

    async takeOver(key, leaseMs) {
      const job = jobs.get(key);
      if (!job || job.status === 'done') return false;
      const time = now();
      if ((job.leaseUntil ?? job.createdAt + leaseMs) > time) return false;
      // An attempt of the message is open again: it answers, unless it gives up too.
      job.status = 'pending';
      job.leaseUntil = time + leaseMs;
      return true;
    },

    async markDelivered(key, by) {
      const job = jobs.get(key);
      if (job) job.deliveredBy = by;
    },

    async waitForJob(key, timeoutMs, signal) {
      const job = jobs.get(key);
      if (job?.status === 'done') return copyJob(job);
      if (signal?.aborted || timeoutMs <= 0) return undefined;
      return waiters.wait(key, timeoutMs, signal).promise;
    },

    async claimOutbox(openid, leaseMs) {
      return claimFrom(openid, leaseMs, shiftPage);
    },

    async claimUnseenAnswer(openid, leaseMs, options) {
      return claimFrom(openid, leaseMs, shiftUnseen, options?.dropSeen === true);
    },

    async ackOutbox(openid, claimId) {
      const entry = claimed.entry(openid);
      if (!entry) return;
      const kept = entry.value.filter((claim) => claim.claimId !== claimId);
      if (kept.length === 0) claimed.delete(openid);
      else entry.value = kept;
    },

    async dropSeenAnswers(openid) {
      // A new question's claim that takes nothing: the seen pages are dropped, an emptied outbox deleted.
      claimFrom(openid, 0, () => undefined, true);
    },

    async summarizeOutbox(openid) {
      restoreExpiredClaims(openid);
      return summarize(outboxes.get(openid));
    },

    async clearOutbox(openid) {
      outboxes.delete(openid);
      claimed.delete(openid);
      pending.delete(openid);
    },

    async pendingAnswers(openid) {
      return [...(pending.get(openid) ?? [])];
    },

    async removePending(openid, key) {
      removePending(openid, key);
    },

    async getSession(openid) {
      const kept = sessions.get(openid);
      return kept && copySession(kept, false);
    },

    async setSession(openid, session, ttlMs) {
      sessions.set(openid, copySession(session, true), ttlMs);
    },

    async appendTurns(openid, turns, { ttlMs, keep }) {
      if (turns.length === 0) return;
      // The kept turns are the store's own and are never handed out (reads copy them): the new conversation shares
      // them, and only the new turns are copied in.
      const entry = sessions.entry(openid);
      const added = turns.map((turn) => copyTurn(turn, true));
      const session = appendedSession(entry?.value.turns ?? [], added, keep);
      if (entry) sessions.renew(entry, session, ttlMs);
      else sessions.add(openid, session, ttlMs);
    },

    async deleteSession(openid) {
      sessions.delete(openid);
    },

    async hit(key, windowMs) {
      return hits.hit(key, windowMs);
    },

    async addToTally(key, member, amount, ttlMs) {
      const tally = tallies.get(key);
      if (amount === 0) return tally?.get(member) ?? 0;
      const totals = tally ?? new Map<string, number>();
      if (!tally) tallies.add(key, totals, ttlMs);
      const before = totals.get(member);
      const total = (before ?? 0) + amount;
      // A new member is an openid sliced from a request body: the tally keeps it for two days, not the body.
      totals.set(before === undefined ? ownString(member) : member, total);
      return total;
    },

    async topOfTally(key, limit) {
      const tally = tallies.get(key);
      if (!tally || limit <= 0) return [];
      return [...tally]
        .map(([member, total]) => ({ member, total }))
        .sort((a, b) => b.total - a.total)
        .slice(0, limit);
    },

    async getValue(key) {
      return values.get(key);
    },

    async setValue(key, value, ttlMs) {
      values.set(key, ownString(value), ttlMs);
    },

    async deleteValue(key) {
      values.delete(key);
    },

    async tryLock(key, ttlMs) {
      if (locks.entry(key)) return undefined;
      const token = String(++lockTokens);
      locks.add(key, token, ttlMs);
      return async function release() {
        // Only the holder's token releases: after expiry someone else may hold the lock.
        if (locks.get(key) === token) locks.delete(key);
      };
    },

    async ping() {},

    async close() {
      clearInterval(sweeper);
      waiters.closeAll();
      tables.clear();
      hits.clear();
    },

    get size() {
      return tables.size + hits.size;
    },

    sweep,

    flush() {
      tables.clear();
      hits.clear();
    },

    snapshot() {
      const time = now();
      for (const [openid] of claimed.live()) restoreExpiredClaims(openid, true);
      return {
        version: 1,
        takenAt: time,
        outboxes: outboxes.live().map(([openid, entry]) => ({
          openid,
          expiresAt: entry.expiresAt,
          answers: entry.value,
        })),
        pending: pending.live().map(([openid, entry]) => ({
          openid,
          expiresAt: entry.expiresAt,
          keys: entry.value,
        })),
        sessions: sessions.live().map(([openid, entry]) => ({
          openid,
          expiresAt: entry.expiresAt,
          json: JSON.stringify(entry.value),
        })),
      };
    },

    restore(snapshot) {
      const time = now();
      for (const { openid, expiresAt, answers } of snapshot.outboxes) {
        if (expiresAt > time) outboxes.set(openid, answers, expiresAt - time);
      }
      for (const { openid, expiresAt, keys } of snapshot.pending) {
        if (expiresAt > time) pending.set(openid, keys, expiresAt - time);
      }
      for (const { openid, expiresAt, json } of snapshot.sessions) {
        if (expiresAt > time) sessions.set(openid, copySession(JSON.parse(json) as Session, true), expiresAt - time);
      }
    },
  };
}
