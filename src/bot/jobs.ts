/**
 * The jobs this process is answering: one entry per message in flight, shared by every attempt of the message that
 * reaches this process (whatever the store says), with a lease renewed in the store so that other instances can tell a
 * crash from a slow model, and the hand-over of the finished answer: to the attempt waiting for it, to the store (for
 * retries that reach other instances), to the user's outbox, or pushed. A store outage never loses a finished answer:
 * the write is retried until the store is back (within the job's life).
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { StoreError } from '../errors.js';
import { ownString } from '../own-string.js';
import type { JobResult, Store } from '../store/types.js';
import { type Clock, sleep, type TimerHandle } from './clock.js';
import type { LateDelivery, PushOutcome } from './delivery.js';

/** Where a job's answer goes once it is produced. */
export type Handover =
  /** To an attempt of the message (waiting now or next); the store keeps it for attempts on other instances. */
  | 'attempt'
  /** The user was told to fetch it with the continue word (or it arrives with their next message). */
  | 'outbox'
  /** Pushed with the customer-service API; what cannot be pushed goes to the outbox. */
  | 'push';

/** The promise a call returns, or its exception as a rejected one: what an async function around it would give. */
function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** How often, at most, the finished jobs whose window is over are forgotten. */
const FORGET_EVERY_MS = 250;

export interface LocalJob {
  readonly key: string;
  readonly openid: string;
  /** When the message's first attempt seen here arrived. */
  readonly receivedAt: number;
  /** Attempts of the message that reached this process. */
  attempts: number;
  /** Set the moment the work produced the answer (synchronously with `done` resolving). */
  result: JobResult | undefined;
  /** Resolves with the answer; never rejects. Made when first asked for. */
  readonly done: Promise<JobResult>;
  /**
   * Calls back with the answer the moment it is set (at once if it is): what `done` tells, with no promise made and
   * no reaction queued. For the attempt waiting on the job.
   */
  whenDone(callback: (result: JobResult) => void): void;
  /** Resolves once the answer was handed over (stored, outboxed or pushed), or that failed for good. */
  readonly settled: Promise<void>;
  handover: Handover;
  /** A reply carrying the answer was written to WeChat. */
  delivered: boolean;
}

export interface PushedAnswer {
  key: string;
  openid: string;
  result: JobResult;
  outcome: PushOutcome;
  /** From the message's arrival to the end of the push. */
  latencyMs: number;
}

export interface JobsDependencies {
  config: ResolvedConfig;
  store: Store;
  logger: Logger;
  clock: Clock;
  delivery: LateDelivery;
  /** Told when a pushed answer went out (or fell back to the outbox). */
  onPushed?: (pushed: PushedAnswer) => void;
}

/**
 * A job of this process. Its promises are made only when someone waits (most answers are ready before a retry asks),
 * and let go once settled: a finished job kept for its attempts' window holds its answer, not two promises and their
 * reactions.
 */
class JobEntry implements LocalJob {
  attempts = 1;
  result: JobResult | undefined = undefined;
  delivered = false;
  private isSettled = false;
  /** Told the answer when it is set: the attempt waiting (usually one), and `done`'s promise when one was made. */
  private onDone: ((result: JobResult) => void) | ((result: JobResult) => void)[] | undefined = undefined;
  private donePromise: Promise<JobResult> | undefined = undefined;
  private settledPromise: Promise<void> | undefined = undefined;
  private resolveSettled: (() => void) | undefined = undefined;

  constructor(
    readonly key: string,
    readonly openid: string,
    readonly receivedAt: number,
    public handover: Handover,
  ) {}

  get done(): Promise<JobResult> {
    if (this.result) return Promise.resolve(this.result);
    this.donePromise ??= new Promise<JobResult>((resolve) => this.whenDone(resolve));
    return this.donePromise;
  }

  whenDone(callback: (result: JobResult) => void): void {
    if (this.result) callback(this.result);
    else if (this.onDone === undefined) this.onDone = callback;
    else if (typeof this.onDone === 'function') this.onDone = [this.onDone, callback];
    else this.onDone.push(callback);
  }

  get settled(): Promise<void> {
    if (this.isSettled) return Promise.resolve();
    this.settledPromise ??= new Promise<void>((resolve) => {
      this.resolveSettled = resolve;
    });
    return this.settledPromise;
  }

  /** The answer is here: set with `done` resolving. */
  finish(result: JobResult): void {
    this.result = result;
    const told = this.onDone;
    this.onDone = undefined;
    this.donePromise = undefined;
    if (typeof told === 'function') told(result);
    else if (told) for (const callback of told) callback(result);
  }

  /** The answer was handed over (or that failed for good). */
  markSettled(): void {
    this.isSettled = true;
    this.resolveSettled?.();
    this.settledPromise = undefined;
    this.resolveSettled = undefined;
  }
}

export function createJobs({ config, store, logger, clock, delivery, onPushed }: JobsDependencies) {
  const { timing, texts } = config;
  const table = new Map<string, LocalJob>();
  /**
   * Background tasks still running, counted (a Set of them grew and shrank with every burst of messages, reallocating
   * its table each time), and the drains waiting for none to be left.
   */
  let running = 0;
  let whenIdle: (() => void)[] = [];
  /**
   * Leased for 1.5× WeChat's timeout and renewed every fifth of it: a retry elsewhere sees a crash within an attempt,
   * and a record the store lost is back within a second.
   */
  const leaseMs = Math.round(timing.wechatTimeoutMs * 1.5);
  const renewEveryMs = Math.max(50, Math.round(timing.wechatTimeoutMs / 5));
  /** How long a job stays in the table after its message arrived: every attempt WeChat makes falls inside. */
  const attemptsWindowMs = timing.attempts * timing.wechatTimeoutMs + timing.clockSkewMs + 2000;
  /**
   * Finished jobs in the order they finished, each forgotten once its window is over: one timer for all of them (a
   * timer per job, each of its own length, cost the webhook's hot path more than the rest of the table). A job
   * behind one whose window ends later waits for it: it is kept longer, never forgotten early.
   */
  const finished: (LocalJob | undefined)[] = [];
  let finishedHead = 0;
  let forgetTimer: TimerHandle | undefined;
  const stopTyping = new Map<string, () => void>();
  /**
   * Jobs started here, whose leases the one renewal timer renews while they work: appended as they start, and those
   * finished dropped at each renewal (no removal per job).
   */
  let working: JobEntry[] = [];
  let renewTimer: TimerHandle | undefined;
  /** Jobs whose answer is to be pushed, until it was (or fell back to the outbox). */
  const pushing = new Set<LocalJob>();

  const taskEnded = () => {
    running -= 1;
    if (running > 0 || whenIdle.length === 0) return;
    const waiting = whenIdle;
    whenIdle = [];
    for (const wake of waiting) wake();
  };

  const track = <T>(task: Promise<T>): Promise<T> => {
    running += 1;
    task.then(taskEnded, taskEnded);
    return task;
  };

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

  /**
   * Runs a store write, retrying through a store outage (backoff 250 ms → 2 s) for up to jobTtlMs: an answer the user
   * was promised is kept as long as the store may come back within the job's life. The first try is the write's own
   * promise (every answer makes one); only a failure goes on to the retries.
   */
  function persist<T>(key: string, what: string, write: () => Promise<T>): Promise<T> {
    const giveUpAt = clock.now() + timing.jobTtlMs;
    return attempt(write).catch((error: unknown) => retryPersist(key, what, write, error, giveUpAt));
  }

  async function retryPersist<T>(
    key: string,
    what: string,
    write: () => Promise<T>,
    firstError: unknown,
    giveUpAt: number,
  ): Promise<T> {
    let error = firstError;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      if (!(error instanceof StoreError) || clock.now() + delay > giveUpAt) throw error;
      logger.warn({ key, code: error.code, retryInMs: delay }, `store unavailable: will ${what} when it is back`);
      await sleep(clock, delay);
      try {
        return await write();
      } catch (failure) {
        error = failure;
      }
    }
  }

  function failed(error: unknown, key: string): JobResult {
    const storeDown = error instanceof StoreError;
    logger.error(
      { key, err: messageOf(error) },
      storeDown ? 'answering failed: store unavailable' : 'answering failed',
    );
    return storeDown
      ? { reply: { type: 'text', content: texts.storeDown }, meta: { source: 'store-down' } }
      : { reply: { type: 'text', content: texts.internalError }, meta: { source: 'error' } };
  }

  /** Starts the work of a message in this process. The entry answers every attempt of it that reaches us. */
  function start(
    key: string,
    openid: string,
    receivedAt: number,
    produce: () => Promise<JobResult>,
    handover: Handover = 'attempt',
  ): LocalJob {
    // The openid read from the message is a slice of the request's body: the job, kept for its attempts' window, keeps
    // a copy of its own rather than the body.
    const job = new JobEntry(key, ownString(openid), receivedAt, handover);
    table.set(key, job);

    startRenewing(job);

    // Promise steps rather than an async function around them: one fewer frame and promise on every answer. Counted
    // as a background task until settled (drain waits for it).
    running += 1;
    attempt(produce).then(
      (result) => answered(job, result),
      (error: unknown) => answered(job, failed(error, key)),
    );
    return job;
  }

  /**
   * The leases of the jobs working here are renewed together, by one timer every renewEveryMs while any is working (a
   * timer per job cost the hot path more than the rest of its bookkeeping). A job is first renewed at the first tick
   * at least half a period after it arrived: well inside its lease, which runs 1.5× WeChat's timeout from the claim.
   */
  function startRenewing(job: JobEntry): void {
    working.push(job);
    if (renewTimer === undefined) armRenewal();
  }

  function armRenewal(): void {
    renewTimer = clock.setTimeout(renewWorking, renewEveryMs);
    renewTimer.unref?.();
  }

  function renewWorking(): void {
    renewTimer = undefined;
    const time = clock.now();
    const stillWorking: JobEntry[] = [];
    for (const job of working) {
      if (job.result) continue;
      stillWorking.push(job);
      if (time - job.receivedAt < renewEveryMs / 2) continue;
      store.renewLease(job.key, { openid: job.openid, leaseMs, ttlMs: timing.jobTtlMs }).catch(() => {});
    }
    working = stillWorking;
    if (working.length > 0) armRenewal();
  }

  function forget(job: LocalJob): void {
    if (table.get(job.key) === job) table.delete(job.key);
  }

  function forgetLater(job: LocalJob): void {
    finished.push(job);
    if (forgetTimer === undefined) armForgetting();
  }

  /** Arms the one timer for the oldest finished job's window (at least FORGET_EVERY_MS apart, to batch them). */
  function armForgetting(): void {
    const oldest = finished[finishedHead];
    if (!oldest) return;
    const dueIn = Math.max(FORGET_EVERY_MS, oldest.receivedAt + attemptsWindowMs - clock.now());
    forgetTimer = clock.setTimeout(forgetDue, dueIn);
    forgetTimer.unref?.();
  }

  function forgetDue(): void {
    forgetTimer = undefined;
    const time = clock.now();
    for (let job = finished[finishedHead]; job && job.receivedAt + attemptsWindowMs <= time; ) {
      forget(job);
      finished[finishedHead++] = undefined;
      job = finished[finishedHead];
    }
    if (finishedHead === finished.length) {
      finished.length = 0;
      finishedHead = 0;
    } else if (finishedHead > 1024 && finishedHead * 2 > finished.length) {
      finished.splice(0, finishedHead);
      finishedHead = 0;
    }
    armForgetting();
  }

  /** The job's answer is here: told to whoever waits for it, then handed over; the job is settled after that. */
  function answered(job: JobEntry, result: JobResult): void {
    try {
      job.finish(result);
    } catch (error) {
      // Whoever was told threw: the answer is still handed over.
      logger.error({ key: job.key, err: messageOf(error) }, 'an attempt waiting for the answer failed');
    }
    const handing =
      job.handover === 'push'
        ? pushAnswer(job, result)
        : persist(job.key, 'store the answer', () =>
            store.completeJob(job.key, result, {
              ttlMs: timing.jobTtlMs,
              openid: job.openid,
              deferred: job.handover === 'outbox',
            }),
          );
    handing.then(
      () => settled(job),
      (error: unknown) => {
        logger.error({ key: job.key, err: messageOf(error) }, 'storing the answer failed');
        settled(job);
      },
    );
  }

  function settled(job: JobEntry): void {
    pushing.delete(job);
    job.markSettled();
    if (job.receivedAt + attemptsWindowMs <= clock.now()) forget(job);
    else forgetLater(job);
    taskEnded();
  }

  async function pushAnswer(job: LocalJob, result: JobResult): Promise<void> {
    const { key, openid } = job;
    stopTyping.get(key)?.();
    stopTyping.delete(key);
    const outcome = await delivery.push(openid, result);
    const { pushText: _full, morePages: _pages, ...rest } = result;
    if (outcome.status === 'pushed') {
      await persist(key, 'store the answer', async () => {
        await store.completeJob(key, rest, { ttlMs: timing.jobTtlMs, openid });
        await store.markDelivered(key, 'push');
      });
    } else {
      const [first, ...more] =
        outcome.failedAt === 0 ? [result.reply, ...(result.morePages ?? [])] : outcome.pages.slice(outcome.failedAt);
      const unsent: JobResult = { ...rest, reply: first ?? result.reply, ...(more.length ? { morePages: more } : {}) };
      await persist(key, 'keep the answer', () =>
        store.completeJob(key, unsent, { ttlMs: timing.jobTtlMs, openid, deferred: true }),
      );
    }
    onPushed?.({ key, openid, result, outcome, latencyMs: clock.now() - job.receivedAt });
  }

  /**
   * The user was told this message's answer comes through the outbox: a job still working sends it there when done;
   * one whose answer is ready but was never written goes there now. Works for jobs of other instances too (by key).
   */
  function sendToOutbox(key: string, openid: string): void {
    const job = table.get(key);
    if (job) {
      if (job.delivered) return;
      if (!job.result) job.handover = 'outbox';
    }
    track(
      persist(key, 'keep the answer for 「继续」', () => store.sendToOutbox(key, openid, timing.jobTtlMs)).catch(
        (error: unknown) => {
          logger.error({ key, err: messageOf(error) }, 'could not keep the answer for the continue word');
        },
      ),
    );
  }

  /** Pushes the answer when it is ready (the attempt answered `success`). */
  function pushWhenReady(job: LocalJob): void {
    if (job.result || job.handover === 'push') return;
    job.handover = 'push';
    pushing.add(job);
    stopTyping.set(job.key, delivery.startTyping(job.openid));
  }

  /** Waits for the background work (bounded), so a shutdown loses nothing that can still finish. */
  async function drain(timeoutMs: number): Promise<boolean> {
    if (running === 0) return true;
    if (timeoutMs <= 0) return false;
    let timer: TimerHandle | undefined;
    const drained = await new Promise<boolean>((resolve) => {
      whenIdle.push(() => resolve(true));
      timer = clock.setTimeout(() => resolve(false), timeoutMs);
    });
    if (timer !== undefined) clock.clearTimeout(timer);
    return drained;
  }

  return {
    start,
    get: (key: string) => table.get(key),
    sendToOutbox,
    pushWhenReady,
    /** Jobs of this process still working. */
    unfinished: () => [...table.values()].filter((job) => !job.result),
    drain,
    track,
    leaseMs,
    renewEveryMs,
    get inFlight() {
      return running;
    },
    get pushing() {
      return pushing.size;
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;
