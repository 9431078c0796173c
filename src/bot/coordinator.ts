/**
 * The deadline coordinator: answers each WeChat attempt of a message inside WeChat's 5-second rule.
 *
 * One message is one job (deduped on MsgId). Every attempt waits for the same job: an answer ready at any moment goes
 * out on the attempt open then, or on the very next one (no poll gaps: waiters wake on completion). Attempts before
 * the last that are not ready are held open past WeChat's timeout so that WeChat retries (an empty answer would stop
 * it). The last attempt answers the thinking notice within the reply budget and the job is deferred: its answer waits
 * in the user's outbox. The losing model call is never cancelled: its result serves the next attempt or the outbox.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { StoreError } from '../errors.js';
import type { JobRecord, JobResult, Store } from '../store/types.js';
import type { InboundMessage, Reply } from '../wechat/types.js';
import type { ActiveDelivery, PushOutcome } from './active.js';
import { jobKey } from './job-key.js';
import { pendingKey } from './pipeline.js';
import type { Delivery } from './types.js';

/** How long past WeChat's timeout a held attempt waits for WeChat to drop it before treating it as the last. */
const HOLD_GRACE_MS = 1000;

export interface AttemptContext {
  /** Aborts when the HTTP client (WeChat) drops the connection. */
  signal?: AbortSignal;
  /** Epoch ms when the request arrived (default: now). */
  receivedAt?: number;
}

export interface AttemptOutcome {
  /** The reply to write, or undefined when the client is gone and nothing should be written. */
  reply: Reply | undefined;
  attempt: number;
  delivery: Delivery;
  key: string;
  meta: JobResult['meta'];
}

export interface CoordinatorDependencies {
  config: ResolvedConfig;
  store: Store;
  logger: Logger;
  now: () => number;
  /** The message's work; started once, by its first attempt. */
  work: (message: InboundMessage, key: string, receivedAt: number) => Promise<JobResult>;
  /** Answers that need no job (deterministic, one page): tried before the message is claimed. */
  quickAnswer?: (message: InboundMessage) => Promise<JobResult | undefined>;
  /** Pushing late answers (active delivery). Without it, or in passive mode, late answers wait in the outbox. */
  active?: ActiveDelivery;
  /** Told when a pushed answer went out (or fell back to the outbox). */
  onPushed?: (pushed: PushedAnswer) => void;
}

export interface PushedAnswer {
  key: string;
  openid: string;
  result: JobResult;
  outcome: PushOutcome;
  /** From the message's arrival to the end of the push. */
  latencyMs: number;
}

interface PushIntent {
  openid: string;
  receivedAt: number;
  stopTyping: () => void;
}

export function createCoordinator({
  config,
  store,
  logger,
  now,
  work,
  quickAnswer,
  active,
  onPushed,
}: CoordinatorDependencies) {
  const { timing, texts } = config;
  const inFlight = new Set<Promise<unknown>>();
  /** Jobs whose work runs in this process, and those whose work has produced its result (being stored now). */
  const running = new Set<string>();
  const produced = new Set<string>();
  /** Jobs whose answer is to be pushed when ready (their attempt got `success`). */
  const pushIntents = new Map<string, PushIntent>();

  const track = (task: Promise<unknown>) => {
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  const failed = (error: unknown, key: string): JobResult => {
    logger.error({ key, err: error instanceof Error ? error.message : String(error) }, 'answering failed');
    return { reply: { type: 'text', content: texts.internalError }, meta: { source: 'error' } };
  };

  /**
   * Stores a finished answer, retrying through a store outage (backoff 250 ms → 2 s) for up to jobTtlMs: an answer the
   * user was promised is kept as long as the store may come back within the job's life.
   */
  async function persist(key: string, write: () => Promise<unknown>): Promise<void> {
    const giveUpAt = now() + timing.jobTtlMs;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      try {
        await write();
        return;
      } catch (error) {
        if (!(error instanceof StoreError) || now() + delay > giveUpAt) throw error;
        logger.warn(
          { key, code: error.code, retryInMs: delay },
          'store unavailable: will store the answer when it is back',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Runs a job's work in the background and records (or pushes) its result; never rejects. */
  function runJob(key: string, produce: () => Promise<JobResult>): void {
    running.add(key);
    track(
      produce()
        .catch((error: unknown) => failed(error, key))
        .then(async (result): Promise<void> => {
          // Synchronous with respond()'s check: either the attempt saw the result coming, or it left a push intent.
          produced.add(key);
          const intent = pushIntents.get(key);
          if (!intent) {
            await persist(key, () => store.completeJob(key, result, timing.jobTtlMs));
            return;
          }
          pushIntents.delete(key);
          await pushAnswer(key, intent, result);
        })
        .catch((error: unknown) => {
          logger.error(
            { key, err: error instanceof Error ? error.message : String(error) },
            'storing the answer failed',
          );
        })
        .finally(() => {
          running.delete(key);
          produced.delete(key);
        }),
    );
  }

  /** Pushes a late answer; what cannot be pushed goes to the outbox as an unseen answer. */
  async function pushAnswer(key: string, intent: PushIntent, result: JobResult): Promise<void> {
    intent.stopTyping();
    const outcome = await active!.push(intent.openid, result);
    const { pushText: _full, morePages: _pages, ...rest } = result;
    if (outcome.status === 'pushed') {
      await persist(key, () => store.completeJob(key, rest, timing.jobTtlMs));
      await store.markDelivered(key, 'push').catch(() => {});
    } else {
      const [first, ...more] =
        outcome.failedAt === 0 ? [result.reply, ...(result.morePages ?? [])] : outcome.pages.slice(outcome.failedAt);
      await persist(key, async () => {
        await store.deferJob(key);
        await store.completeJob(
          key,
          { ...rest, reply: first ?? result.reply, ...(more.length ? { morePages: more } : {}) },
          timing.jobTtlMs,
        );
      });
      await store.markDelivered(key, 'outbox').catch(() => {});
    }
    onPushed?.({ key, openid: intent.openid, result, outcome, latencyMs: now() - intent.receivedAt });
  }

  /**
   * Active delivery, when the budget is spent: answers `success` now and pushes the answer when ready. Undefined when
   * the answer is about to be stored (wait for it instead) or the job runs elsewhere (another instance).
   */
  function leaveForPush(key: string, openid: string, attempt: number, receivedAt: number): AttemptOutcome | undefined {
    if (!active?.isActive() || !running.has(key) || produced.has(key)) return undefined;
    if (!pushIntents.has(key)) pushIntents.set(key, { openid, receivedAt, stopTyping: active.startTyping(openid) });
    return { reply: { type: 'success' }, attempt, delivery: 'push', key, meta: { source: 'push-pending' } };
  }

  /**
   * A job with no attempt of its own (a new question asked while another answer waited): pushed when ready in active
   * delivery, otherwise kept in the outbox. Returns which, so the reply can say so.
   */
  function startLateAnswer(key: string, openid: string, produce: () => Promise<JobResult>): 'push' | 'outbox' {
    const pushing = active?.isActive() === true;
    track(
      (async () => {
        await store.claimAttempt(key, openid, timing.jobTtlMs);
        if (pushing && active) {
          pushIntents.set(key, { openid, receivedAt: now(), stopTyping: active.startTyping(openid) });
        } else {
          await store.deferJob(key);
          await store.setValue(pendingKey(openid), key, timing.outboxTtlMs);
        }
        runJob(key, produce);
      })().catch((error: unknown) => failed(error, key)),
    );
    return pushing ? 'push' : 'outbox';
  }

  function fromRecord(record: JobRecord, attempt: number, delivery: Delivery): AttemptOutcome {
    const result = record.result!;
    if (record.deliveredBy === 'push') {
      // A stray retry of a message whose answer was pushed: the user has it already.
      return { reply: { type: 'success' }, attempt, delivery: 'repeat', key: record.key, meta: { source: 'pushed' } };
    }
    // Attempt 1 answering is the usual case, and what an unmarked job means; only the other ways are written down.
    if (delivery !== 'passive') {
      void store.markDelivered(record.key, delivery === 'retry' ? `attempt ${attempt}` : delivery).catch(() => {});
    }
    return { reply: result.reply, attempt, delivery, key: record.key, meta: result.meta };
  }

  async function respond(message: InboundMessage, context: AttemptContext = {}) {
    const key = jobKey(message);
    const openid = message.fromUser;
    const quick = await quickAnswer?.(message);
    if (quick) return { reply: quick.reply, attempt: 1, delivery: 'passive' as const, key, meta: quick.meta };
    // Read only past the fast path: the webhook creates the signal (an AbortController, a listener) when it is read.
    const { signal, receivedAt = now() } = context;
    const { attempt, job } = await store.claimAttempt(key, openid, timing.jobTtlMs);
    if (attempt === 1) runJob(key, () => work(message, key, receivedAt));
    const delivered: Delivery = job.status === 'done' && attempt > 1 ? 'repeat' : attempt === 1 ? 'passive' : 'retry';

    const elapsed = () => now() - receivedAt;
    let record = await store.waitForJob(key, Math.max(0, timing.replyBudgetMs - elapsed()), signal);
    if (record) return fromRecord(record, attempt, delivered);
    if (signal?.aborted) return dropped(key, openid, attempt);

    const pushing = leaveForPush(key, openid, attempt, receivedAt);
    if (pushing) return pushing;
    if (produced.has(key)) {
      // The answer is being stored this very moment: it still makes this attempt.
      record = await store.waitForJob(key, Math.max(0, timing.wechatTimeoutMs - elapsed() - 100), signal);
      if (record) return fromRecord(record, attempt, delivered);
    }

    if (attempt < timing.attempts) {
      // Hold the connection: WeChat drops it at its timeout and retries. An answer landing meanwhile still goes out.
      const holdMs = timing.wechatTimeoutMs + HOLD_GRACE_MS - elapsed();
      record = await store.waitForJob(key, Math.max(0, holdMs), signal);
      if (record) return fromRecord(record, attempt, delivered);
      if (signal?.aborted) return dropped(key, openid, attempt);
      // A client that does not drop at WeChat's timeout is not WeChat: answer as on the last attempt.
    }

    const after = await deferToOutbox(key, openid);
    if (after?.status === 'done') return fromRecord(after, attempt, delivered);
    const outcome: AttemptOutcome = {
      reply: { type: 'text', content: texts.thinking },
      attempt,
      delivery: 'outbox',
      key,
      meta: { source: 'thinking' },
    };
    return outcome;
  }

  /** From now on the job's answer goes to the user's outbox (the continue word or the next message fetches it). */
  async function deferToOutbox(key: string, openid: string): Promise<JobRecord | undefined> {
    const after = await store.deferJob(key);
    if (after && after.status !== 'done') await store.setValue(pendingKey(openid), key, timing.outboxTtlMs);
    return after;
  }

  /**
   * The client hung up before the answer. After the last attempt nobody will come back for it: send it to the outbox.
   * After an earlier one WeChat retries at once; if no retry comes, the outbox gets it too.
   */
  function dropped(key: string, openid: string, attempt: number): AttemptOutcome {
    const abandon = () =>
      track(
        deferToOutbox(key, openid).catch((error: unknown) => {
          logger.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'could not defer a job');
        }),
      );
    if (attempt >= timing.attempts) abandon();
    else {
      setTimeout(() => {
        void store
          .getJob(key)
          .then((job) => {
            if (job?.status === 'pending' && job.attempts === attempt) abandon();
          })
          .catch(() => {});
      }, timing.wechatTimeoutMs + HOLD_GRACE_MS).unref();
    }
    return { reply: undefined, attempt, delivery: 'dropped', key, meta: {} };
  }

  /** Answers one attempt; a store outage becomes a friendly notice instead of WeChat's error page. */
  async function respondSafely(message: InboundMessage, context: AttemptContext = {}): Promise<AttemptOutcome> {
    try {
      return await respond(message, context);
    } catch (error) {
      const storeDown = error instanceof StoreError;
      logger.error(
        { err: error instanceof Error ? error.message : String(error), code: (error as { code?: string }).code },
        storeDown ? 'store unavailable' : 'coordinator failed',
      );
      return {
        reply: { type: 'text', content: storeDown ? texts.storeDown : texts.internalError },
        attempt: 0,
        delivery: 'passive',
        key: jobKey(message),
        meta: { source: storeDown ? 'store-down' : 'error' },
      };
    }
  }

  /** Waits for answers in flight (bounded), so a shutdown loses nothing that can still finish. */
  async function drain(timeoutMs: number): Promise<boolean> {
    if (inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.allSettled([...inFlight]).then(() => true as const);
    const finished = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return finished;
  }

  return {
    respond: respondSafely,
    startLateAnswer,
    drain,
    get inFlight() {
      return inFlight.size;
    },
  };
}

export type Coordinator = ReturnType<typeof createCoordinator>;
