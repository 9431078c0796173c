/**
 * The Redis store: several instances behind one account behave as one bot. Deciding operations are Lua scripts
 * (atomic); waitForJob wakes through pub/sub, never by polling. While Redis is down every operation fails at once with
 * a StoreError (no offline queue, a short command timeout) and ioredis reconnects by itself; once Redis is back,
 * operations work again on the same store. ioredis is imported when the store is created, so the CLI starts fast.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_OUTBOX_TTL_MS } from '../config/defaults.js';
import type { Logger } from '../config.js';
import { StoreError } from '../errors.js';
import { appendedSession } from './appended-session.js';
import { connect, connectionOptions, quit, redactUrl, watchConnection } from './redis-connection.js';
import { type StoreScripts, scripts } from './redis-scripts.js';
import type {
  CompleteOutcome,
  DeliveredBy,
  JobRecord,
  JobResult,
  JobStatus,
  OutboxClaim,
  OutboxHandover,
  OutboxPage,
  Session,
  Store,
} from './types.js';
import { createJobWaiters } from './waiters.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  url: string;
  /** Prepended to every key and to the pub/sub channel: instances of one bot share it (default 'wechat-gpt:'). */
  keyPrefix?: string;
  /** How long createRedisStore waits for Redis before failing (default 5 s); also the TCP connect timeout. */
  connectTimeoutMs?: number;
  /** How long one command may take before it fails with a StoreError (default 1 s). */
  commandTimeoutMs?: number;
  /** How long a user's outbox is kept after its last new answer (default 48 h, as timing.outboxTtlMs). */
  outboxTtlMs?: number;
  logger?: Logger;
  /** The clock of JobRecord.createdAt (TTLs run on Redis's clock). */
  now?: () => number;
}

const JOB_STATUSES: readonly string[] = ['pending', 'deferred', 'done'] satisfies JobStatus[];
const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

type ScriptedRedis = Redis & StoreScripts;

/**
 * Connects (waiting up to connectTimeoutMs) and returns the store; rejects with a StoreError if Redis cannot be
 * reached by then. Outages after that do not end the store: operations fail fast until Redis is back.
 */
export async function createRedisStore({
  url,
  keyPrefix = 'wechat-gpt:',
  connectTimeoutMs = 5000,
  commandTimeoutMs = 1000,
  outboxTtlMs = DEFAULT_OUTBOX_TTL_MS,
  logger = quietLogger,
  now = Date.now,
}: RedisStoreOptions): Promise<Store> {
  const { Redis } = await import('ioredis');
  const connection = connectionOptions({ connectTimeoutMs, commandTimeoutMs });
  const client = new Redis(url, { ...connection, scripts }) as ScriptedRedis;
  // Resubscribing is ours (see onSubscriberReady): the recheck must run after SUBSCRIBE is confirmed.
  const subscriber = new Redis(url, { ...connection, autoResubscribe: false });
  const channel = `${keyPrefix}jobs:done`;
  const waiters = createJobWaiters();

  const jobKey = (key: string) => `${keyPrefix}job:${key}`;
  const outboxKey = (openid: string) => `${keyPrefix}outbox:${openid}`;
  const sessionKey = (openid: string) => `${keyPrefix}session:${openid}`;
  const hitKey = (key: string) => `${keyPrefix}hit:${key}`;
  const tallyKey = (key: string) => `${keyPrefix}tally:${key}`;
  const valueKey = (key: string) => `${keyPrefix}value:${key}`;
  const lockKey = (key: string) => `${keyPrefix}lock:${key}`;
  const claimsKey = (openid: string) => `${keyPrefix}claims:${openid}`;
  const pendingKey = (openid: string) => `${keyPrefix}pending:${openid}`;

  /** A result's pages as the outbox stores them (the first carries the question). */
  function pagesOf(key: string, result: JobResult): string[] {
    const first: OutboxPage = {
      answerId: key,
      reply: result.reply,
      ...(result.question !== undefined ? { question: result.question } : {}),
    };
    const more = (result.morePages ?? []).map((reply) => JSON.stringify({ answerId: key, reply }));
    return [JSON.stringify(first), ...more];
  }

  let closing = false;
  watchConnection(client, 'commands', logger, () => closing);
  watchConnection(subscriber, 'subscriber', logger, () => closing);

  try {
    await Promise.all([connect(client, connectTimeoutMs), connect(subscriber, connectTimeoutMs)]);
    await subscriber.subscribe(channel);
  } catch (error) {
    closing = true;
    client.disconnect();
    subscriber.disconnect();
    throw new StoreError(`Could not connect to Redis at ${redactUrl(url)} within ${connectTimeoutMs} ms.`, {
      cause: error,
      hint: 'Check that Redis is running and REDIS_URL points at it (redis://host:6379).',
    });
  }

  subscriber.on('message', (from: string, key: string) => {
    if (from === channel && waiters.has(key)) void wake(key);
  });
  subscriber.on('ready', function onSubscriberReady() {
    // Completions published while the subscriber was away were missed: subscribe again, then check every wait.
    subscriber
      .subscribe(channel)
      .then(() => Promise.all(waiters.keys().map(wake)))
      .catch((error: unknown) => logger.warn({ err: messageOf(error) }, 'Redis resubscribe failed'));
  });

  /** Runs a command; any failure becomes a StoreError that says what was being done. */
  async function run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      const state = client.status === 'ready' ? '' : ` (connection ${client.status})`;
      throw new StoreError(`Redis ${operation} failed${state}: ${messageOf(error)}`, { cause: error });
    }
  }

  async function getJob(key: string): Promise<JobRecord | undefined> {
    return parseJob(key, await run('getJob', () => client.hgetall(jobKey(key))));
  }

  async function wake(key: string): Promise<void> {
    try {
      const job = await getJob(key);
      if (job?.status === 'done') waiters.notify(key, job);
    } catch {
      // Redis went away again: the waiters time out, or the next reconnect checks them.
    }
  }

  const takeItem = (reply: unknown, claimId: string): OutboxClaim | undefined => {
    if (!Array.isArray(reply)) return undefined;
    const [raw, remaining] = reply as [string, number];
    const page = JSON.parse(raw.slice(1)) as OutboxPage;
    const unseen = raw.startsWith('U');
    const item: OutboxClaim = {
      answerId: page.answerId,
      reply: page.reply,
      unseen,
      remaining: Number(remaining),
      claimId,
    };
    if (unseen && page.question !== undefined) item.question = page.question;
    return item;
  };

  async function claimPage(openid: string, leaseMs: number, mode: 'first' | 'unseen' | 'unseen-dropping-seen') {
    const claimId = randomUUID();
    const reply = await run('claimOutbox', () =>
      client.wgClaimOutbox(outboxKey(openid), claimsKey(openid), now(), leaseMs, claimId, mode, outboxTtlMs),
    );
    return takeItem(reply, claimId);
  }

  return {
    kind: 'redis',

    async claimAttempt(key, openid, ttlMs) {
      const fields = await run('claimAttempt', () => client.wgClaim(jobKey(key), openid, ttlMs, now()));
      const job = parseJob(key, pairs(fields));
      if (!job) throw new StoreError('Redis claimAttempt returned no job.');
      return { attempt: job.attempts, job };
    },

    getJob,

    async completeJob(key, result, { ttlMs, openid: knownOpenid, deferred = false }): Promise<CompleteOutcome> {
      // A job's owner never changes, so reading it first decides nothing; the script re-checks the status.
      const openid = knownOpenid ?? (await run('completeJob', () => client.hget(jobKey(key), 'openid')));
      if (openid === null) return 'ignored';
      const outcome = await run('completeJob', () =>
        client.wgComplete(
          jobKey(key),
          outboxKey(openid),
          pendingKey(openid),
          JSON.stringify(result),
          ttlMs,
          outboxTtlMs,
          channel,
          key,
          knownOpenid ?? '',
          deferred ? '1' : '0',
          now(),
          ...pagesOf(key, result),
        ),
      );
      if (outcome !== 'stored' && outcome !== 'outboxed' && outcome !== 'ignored') {
        throw new StoreError(`Redis completeJob returned ${String(outcome)}.`);
      }
      return outcome;
    },

    async sendToOutbox(key, openid, ttlMs): Promise<OutboxHandover> {
      const handOver = (pages: string[]) =>
        run('sendToOutbox', () =>
          client.wgSendToOutbox(
            jobKey(key),
            outboxKey(openid),
            pendingKey(openid),
            openid,
            ttlMs,
            outboxTtlMs,
            now(),
            key,
            ...pages,
          ),
        );
      let outcome = await handOver([]);
      if (outcome === 'retry') {
        // Done meanwhile and never delivered: hand over its pages (a done result never changes).
        const job = await getJob(key);
        outcome = job?.result ? await handOver(pagesOf(key, job.result)) : 'delivered';
      }
      if (outcome !== 'deferred' && outcome !== 'outboxed' && outcome !== 'delivered') {
        throw new StoreError(`Redis sendToOutbox returned ${String(outcome)}.`);
      }
      return outcome;
    },

    async deferJob(key) {
      return parseJob(key, pairs(await run('deferJob', () => client.wgDefer(jobKey(key)))));
    },

    async renewLease(key, { openid, leaseMs, ttlMs }) {
      await run('renewLease', () => client.wgRenewLease(jobKey(key), now() + leaseMs, openid, ttlMs, now()));
    },

    async takeOver(key, leaseMs) {
      return (await run('takeOver', () => client.wgTakeOver(jobKey(key), now(), leaseMs))) === 1;
    },

    async markDelivered(key, by) {
      await run('markDelivered', () => client.wgMarkDelivered(jobKey(key), by));
    },

    async waitForJob(key, timeoutMs, signal) {
      if (timeoutMs <= 0 || signal?.aborted) {
        const job = await getJob(key);
        return job?.status === 'done' ? job : undefined;
      }
      // Wait first, then look: a completion between the two still wakes us (the subscription is already live).
      const pending = waiters.wait(key, timeoutMs, signal);
      try {
        const job = await getJob(key);
        if (job?.status === 'done') pending.settle(job);
      } catch (error) {
        pending.settle(undefined);
        throw error;
      }
      return pending.promise;
    },

    claimOutbox: (openid, leaseMs) => claimPage(openid, leaseMs, 'first'),

    claimUnseenAnswer: (openid, leaseMs, options) =>
      claimPage(openid, leaseMs, options?.dropSeen ? 'unseen-dropping-seen' : 'unseen'),

    async ackOutbox(openid, claimId) {
      await run('ackOutbox', () => client.hdel(claimsKey(openid), claimId));
    },

    async dropSeenAnswers(openid) {
      await run('dropSeenAnswers', () => client.wgDropSeen(outboxKey(openid), claimsKey(openid), now(), outboxTtlMs));
    },

    async summarizeOutbox(openid) {
      const items = (await run('summarizeOutbox', () =>
        client.wgReadOutbox(outboxKey(openid), claimsKey(openid), now(), outboxTtlMs),
      )) as string[];
      return { unseenAnswers: items.filter((item) => item.startsWith('U')).length, pages: items.length };
    },

    async clearOutbox(openid) {
      await run('clearOutbox', () => client.del(outboxKey(openid), claimsKey(openid), pendingKey(openid)));
    },

    async pendingAnswers(openid) {
      return run('pendingAnswers', () => client.zrange(pendingKey(openid), 0, -1));
    },

    async removePending(openid, key) {
      await run('removePending', () => client.zrem(pendingKey(openid), key));
    },

    async getSession(openid) {
      const json = await run('getSession', () => client.get(sessionKey(openid)));
      return json === null ? undefined : (JSON.parse(json) as Session);
    },

    async setSession(openid, session, ttlMs) {
      await run('setSession', () => client.set(sessionKey(openid), JSON.stringify(session), 'PX', ttlMs));
    },

    async appendTurns(openid, turns, { ttlMs, keep }) {
      if (turns.length === 0) return;
      const key = sessionKey(openid);
      const json = await run('appendTurns', () => client.get(key));
      const session = appendedSession(json === null ? [] : (JSON.parse(json) as Session).turns, turns, keep);
      await run('appendTurns', () => client.set(key, JSON.stringify(session), 'PX', ttlMs));
    },

    async deleteSession(openid) {
      await run('deleteSession', () => client.del(sessionKey(openid)));
    },

    async hit(key, windowMs) {
      return Number(await run('hit', () => client.wgHit(hitKey(key), windowMs)));
    },

    async addToTally(key, member, amount, ttlMs) {
      if (amount === 0) return Number((await run('readTally', () => client.zscore(tallyKey(key), member))) ?? 0);
      return Number(await run('addToTally', () => client.wgTally(tallyKey(key), member, amount, ttlMs)));
    },

    async topOfTally(key, limit) {
      if (limit <= 0) return [];
      const flat = await run('topOfTally', () => client.zrevrange(tallyKey(key), 0, limit - 1, 'WITHSCORES'));
      const entries = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ member: flat[i]!, total: Number(flat[i + 1]) });
      return entries;
    },

    async getValue(key) {
      return (await run('getValue', () => client.get(valueKey(key)))) ?? undefined;
    },

    async setValue(key, value, ttlMs) {
      await run('setValue', () => client.set(valueKey(key), value, 'PX', ttlMs));
    },

    async deleteValue(key) {
      await run('deleteValue', () => client.del(valueKey(key)));
    },

    async tryLock(key, ttlMs) {
      const token = randomUUID();
      const taken = await run('tryLock', () => client.set(lockKey(key), token, 'PX', ttlMs, 'NX'));
      if (taken !== 'OK') return undefined;
      return async function release() {
        await run('releaseLock', () => client.wgUnlock(lockKey(key), token));
      };
    },

    async ping() {
      await run('ping', () => client.ping());
    },

    async close() {
      closing = true;
      waiters.closeAll();
      await Promise.all([client, subscriber].map(quit));
    },
  };
}

/** ['field', 'value', …] (a script's HGETALL) as an object. */
function pairs(reply: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(reply)) return fields;
  for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  return fields;
}

function parseJob(key: string, fields: Record<string, string>): JobRecord | undefined {
  const { status, openid, attempts, createdAt, result, deliveredBy, leaseUntil } = fields;
  if (status === undefined) return undefined;
  if (!JOB_STATUSES.includes(status) || openid === undefined) {
    throw new StoreError(`Redis holds a malformed job under ${key}.`, {
      hint: 'Another program may use the same key prefix; set a distinct prefix for wechat-gpt.',
    });
  }
  return {
    key,
    openid,
    status: status as JobStatus,
    attempts: Number(attempts),
    createdAt: Number(createdAt),
    ...(result !== undefined ? { result: JSON.parse(result) as JobRecord['result'] } : {}),
    ...(deliveredBy !== undefined ? { deliveredBy: deliveredBy as DeliveredBy } : {}),
    ...(leaseUntil !== undefined ? { leaseUntil: Number(leaseUntil) } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
