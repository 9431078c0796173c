/**
 * Answering each WeChat attempt of a message inside WeChat's 5-second rule.
 *
 * One message is one job. Its attempt number is the largest of the store's count, this process's count and what the
 * message's CreateTime says (see inferAttempt), so a store that lost its count or answers slowly cannot make the last
 * attempt look like the first. An attempt waits for the answer until the reply budget; attempts before the last that
 * are not ready are held open past WeChat's timeout so that WeChat retries (an empty answer would stop it); the last
 * answers the thinking notice and the answer goes to the user's outbox. Every store call on the way is raced against
 * the time the attempt has left: a slow store never holds a reply past WeChat's timeout, its call completes in the
 * background. The model call is never cancelled: its answer serves the next attempt, the outbox or a push.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { StoreError } from '../errors.js';
import type { AnswerMeta, JobResult, Store } from '../store/types.js';
import type { InboundMessage, Reply } from '../wechat/types.js';
import { type Clock, sleep } from './clock.js';
import { inferAttempt } from './deadline.js';
import type { LateDelivery } from './delivery.js';
import { type HangUp, hangUpOfSignal, signalOfHangUp } from './hang-up.js';
import { jobKey } from './job-key.js';
import type { Jobs, LocalJob } from './jobs.js';
import type { Routing } from './routing.js';
import type { StorePatience } from './store-patience.js';
import type { Delivery } from './types.js';
import { createWakeUps } from './wake-ups.js';

/** How long past WeChat's timeout a held attempt waits for WeChat to drop it before treating it as the last. */
const HOLD_GRACE_MS = 1000;
/** Time kept, after the last store call of an attempt, for building and writing the reply. */
const REPLY_MARGIN_MS = 150;

export interface AttemptContext {
  /** Aborts when the HTTP client (WeChat) drops the connection. */
  signal?: AbortSignal;
  /** The same news without an AbortSignal (the webhook's: cheaper); read past the fast path only. Wins over signal. */
  hangUp?: HangUp;
  /** Epoch ms when the request arrived (default: now). */
  receivedAt?: number;
}

export interface AttemptOutcome {
  /** The reply to write, or undefined when the client is gone and nothing should be written. */
  reply: Reply | undefined;
  attempt: number;
  delivery: Delivery;
  key: string;
  meta: AnswerMeta;
  /** Call once the reply was written to WeChat: outbox pages it carries are then gone for good. */
  written?: () => void;
}

/** An answer found for an attempt: the job's result, or the news that it was pushed already. */
type Ready = { result: JobResult; pushed: boolean };

/** An attempt waiting for its answer, linked into the list a shutdown wakes (no Set to grow and shrink per burst). */
interface Waiting {
  wake: () => void;
  prev: Waiting | undefined;
  next: Waiting | undefined;
}

export interface AttemptsDependencies {
  config: ResolvedConfig;
  store: Store;
  jobs: Jobs;
  routing: Routing;
  delivery: LateDelivery;
  logger: Logger;
  clock: Clock;
  patience: StorePatience;
}

export function createAttempts({
  config,
  store,
  jobs,
  routing,
  delivery,
  logger,
  clock,
  patience,
}: AttemptsDependencies) {
  const { timing, texts } = config;
  let closing = false;
  /** Attempts waiting for an answer, newest first: a shutdown wakes them to answer at once. */
  let waitingHead: Waiting | undefined;
  /** Their time running out, on one timer. */
  const wakeUps = createWakeUps(clock);

  function startWaiting(wake: () => void): Waiting {
    const waiting: Waiting = { wake, prev: undefined, next: waitingHead };
    if (waitingHead) waitingHead.prev = waiting;
    waitingHead = waiting;
    return waiting;
  }

  function stopWaiting(waiting: Waiting): void {
    if (waiting.prev) waiting.prev.next = waiting.next;
    else if (waitingHead === waiting) waitingHead = waiting.next;
    if (waiting.next) waiting.next.prev = waiting.prev;
    waiting.prev = undefined;
    waiting.next = undefined;
  }

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

  /**
   * Waits up to ms for the answer: from this process's job, else from the store (another instance works on it). One
   * promise settles on whichever comes first: the answer, the time, the client hanging up, or a shutdown.
   */
  function waitReady(key: string, job: LocalJob | undefined, ms: number, hangUp?: HangUp): Promise<Ready | undefined> {
    if (job?.result) return Promise.resolve({ result: job.result, pushed: false });
    if (ms <= 0 || closing || hangUp?.gone) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let waiting = true;
      const finish = (ready: Ready | undefined) => {
        if (!waiting) return;
        waiting = false;
        wakeUps.cancel(timer);
        stopListening?.();
        stopWaiting(listed);
        resolve(ready ?? (job?.result ? { result: job.result, pushed: false } : undefined));
      };
      const stop = () => finish(undefined);
      const timer = wakeUps.after(ms, stop);
      const stopListening = hangUp?.listen(stop);
      const listed = startWaiting(stop);
      if (job) job.whenDone((result) => finish({ result, pushed: false }));
      else waitInStore(key, clock.now() + ms, hangUp).then(finish, stop);
    });
  }

  /**
   * Waits for another instance's answer through the store until the deadline; a store that fails meanwhile is asked
   * again (every 250 ms) rather than taken as "no answer", so a short outage does not end the attempt early.
   */
  async function waitInStore(key: string, until: number, hangUp?: HangUp): Promise<Ready | undefined> {
    // The store's wait takes an AbortSignal: made here, where another instance has the message, not on every request.
    const signal = hangUp && signalOfHangUp(hangUp);
    while (!closing && !signal?.aborted) {
      const left = until - clock.now();
      if (left <= 0) return undefined;
      try {
        const record = await store.waitForJob(key, left, signal);
        if (record?.result) return { result: record.result, pushed: record.deliveredBy === 'push' };
        return undefined;
      } catch {
        await sleep(clock, Math.min(250, left));
      }
    }
    return undefined;
  }

  /**
   * The store has no record of a message that WeChat is already retrying: it lost it. The instance answering it, if
   * it is alive, puts its lease back within a renewal: wait for that rather than call the model a second time.
   */
  async function ownerComesBack(key: string, waitMs: number): Promise<Ready | 'owned' | undefined> {
    const until = clock.now() + waitMs;
    while (clock.now() < until) {
      await sleep(clock, Math.min(100, Math.max(0, until - clock.now())));
      const record = await patience.wait(store.getJob(key), until - clock.now());
      if (!record.ok || !record.value) continue;
      if (record.value.result) return { result: record.value.result, pushed: record.value.deliveredBy === 'push' };
      if (record.value.leaseUntil !== undefined) return 'owned';
    }
    return undefined;
  }

  function deliver(ready: Ready, attempt: number, job: LocalJob | undefined, key: string): AttemptOutcome {
    const { result } = ready;
    if (ready.pushed) {
      // A stray retry of a message whose answer was pushed: the user has it already.
      return { reply: { type: 'success' }, attempt, delivery: 'repeat', key, meta: { source: 'pushed' } };
    }
    const repeat = job?.delivered === true;
    const delivery: Delivery = repeat ? 'repeat' : attempt === 1 ? 'passive' : 'retry';
    // Attempt 1 answering is the usual case, and what an unmarked job means; only the other ways are written down.
    if (delivery === 'retry') void store.markDelivered(key, `attempt ${attempt}`).catch(() => {});
    const written = () => {
      if (job) job.delivered = true;
      for (const { openid, claimId } of result.claims ?? []) {
        jobs.track(
          store.ackOutbox(openid, claimId).catch((error: unknown) => {
            logger.warn({ key, err: messageOf(error) }, 'could not acknowledge an outbox page; it may come again');
          }),
        );
      }
    };
    return { reply: result.reply, attempt, delivery, key, meta: result.meta, written };
  }

  /**
   * The client hung up before the answer. After the last attempt nobody will come back for it: send it to the outbox.
   * After an earlier one WeChat retries at once; if no retry comes, the outbox gets it too.
   */
  function dropped(key: string, openid: string, job: LocalJob | undefined, attempt: number): AttemptOutcome {
    if (attempt >= timing.attempts) jobs.sendToOutbox(key, openid);
    else {
      const seen = job?.attempts;
      clock
        .setTimeout(() => {
          if (job) {
            if (job.attempts === seen && !job.delivered) jobs.sendToOutbox(key, openid);
            return;
          }
          store
            .getJob(key)
            .then((record) => {
              if (record && record.status !== 'done' && record.attempts <= attempt) jobs.sendToOutbox(key, openid);
            })
            .catch(() => {});
        }, timing.wechatTimeoutMs + HOLD_GRACE_MS)
        .unref?.();
    }
    return { reply: undefined, attempt, delivery: 'dropped', key, meta: { source: 'thinking' } };
  }

  /** Starts the message's job in this process. */
  function startJob(message: InboundMessage, key: string, receivedAt: number): LocalJob {
    return jobs.start(key, message.fromUser, receivedAt, () => routing.work(message, key, receivedAt));
  }

  /**
   * Waits up to ms for the answer to a message another instance has, watched through the store. If that instance
   * stops renewing its lease meanwhile (it died), this attempt takes the job over and waits for it here: the job is
   * returned with the answer, to answer the attempt's later waits.
   */
  async function watchElsewhere(
    message: InboundMessage,
    key: string,
    receivedAt: number,
    attempt: number,
    ms: number,
    hangUp: HangUp | undefined,
  ): Promise<{ ready: Ready | undefined; job: LocalJob | undefined }> {
    const until = clock.now() + ms;
    while (!closing && !hangUp?.gone && clock.now() < until) {
      const record = await patience.wait(store.getJob(key), until - clock.now(), hangUp);
      if (record.ok && record.value?.result) {
        return { ready: { result: record.value.result, pushed: record.value.deliveredBy === 'push' }, job: undefined };
      }
      const leaseEnd =
        record.ok && record.value ? (record.value.leaseUntil ?? record.value.createdAt + jobs.leaseMs) : until;
      if (leaseEnd <= clock.now()) {
        const took = await patience.wait(store.takeOver(key, jobs.leaseMs), until - clock.now(), hangUp);
        if (took.ok && took.value) {
          logger.warn({ key, attempt }, 'taking over a message whose instance stopped answering');
          const job = startJob(message, key, receivedAt);
          job.attempts = attempt;
          return { ready: await waitReady(key, job, until - clock.now(), hangUp), job };
        }
      }
      const ready = await waitReady(
        key,
        undefined,
        Math.min(until, Math.max(leaseEnd, clock.now()) + 100) - clock.now(),
        hangUp,
      );
      if (ready) return { ready, job: undefined };
    }
    return { ready: await waitReady(key, undefined, until - clock.now(), hangUp), job: undefined };
  }

  /** This process's job for the message: attached to or created here; undefined while another instance has it. */
  async function findJob(
    message: InboundMessage,
    key: string,
    receivedAt: number,
    inferred: number,
    deadline: number,
    hangUp?: HangUp,
  ): Promise<{ job: LocalJob | undefined; attempt: number; ready?: Ready }> {
    const openid = message.fromUser;
    const claimMs = deadline - clock.now() - REPLY_MARGIN_MS;
    const local = jobs.get(key);
    if (local) {
      // A retry reaching the instance that produces the answer attaches here, whatever the store says; the store
      // still counts it (attempts of this message may have reached other instances too).
      local.attempts += 1;
      const counted = await patience.wait(store.claimAttempt(key, openid, timing.jobTtlMs), claimMs, hangUp);
      const stored = counted.ok ? counted.value.attempt : 0;
      return { job: local, attempt: Math.max(local.attempts, stored, inferred) };
    }
    const claimed = await patience.wait(store.claimAttempt(key, openid, timing.jobTtlMs), claimMs, hangUp);
    if (!claimed.ok) {
      if (claimed.reason !== 'aborted') {
        logger.warn(
          { key, attempt: inferred, err: claimed.error === undefined ? 'timed out' : messageOf(claimed.error) },
          'store did not answer in time: answering from this process',
        );
      }
      // The first attempt is answered here; a later one waits for the instance that has the message (if any).
      return { job: inferred === 1 ? startJob(message, key, receivedAt) : undefined, attempt: inferred };
    }
    const { attempt: counted, job: record } = claimed.value;
    const attempt = Math.max(counted, inferred);
    if (record.status === 'done' && record.result) {
      return { job: undefined, attempt, ready: { result: record.result, pushed: record.deliveredBy === 'push' } };
    }
    if (counted === 1) {
      if (inferred > 1) {
        const back = await ownerComesBack(
          key,
          Math.min(deadline - clock.now() - REPLY_MARGIN_MS, jobs.renewEveryMs * 1.5),
        );
        if (back === 'owned') return { job: undefined, attempt };
        if (back) return { job: undefined, attempt, ready: back };
        logger.warn({ key, attempt }, 'the store lost this message and nobody answers it: answering here');
      }
      return { job: startJob(message, key, receivedAt), attempt };
    }
    // Another instance has the message: the attempt watches it, and takes it over if that instance is gone.
    return { job: undefined, attempt };
  }

  /**
   * Answers one attempt: the fast path's answer when there is one (no job, nothing counted), otherwise the full path.
   * Anything unexpected becomes a friendly notice instead of WeChat's error page. A plain function: the full path's
   * frame (its many locals) is made only for the messages that take it, and catches its own failures.
   */
  function respond(message: InboundMessage, context: AttemptContext = {}): Promise<AttemptOutcome> {
    try {
      const key = jobKey(message);
      const receivedAt = context.receivedAt ?? clock.now();
      const quickly = routing.quickAnswer(message, receivedAt + timing.replyBudgetMs - clock.now());
      if (!quickly) return answerFully(message, context, key, receivedAt);
      return quickly.then(
        (quick): AttemptOutcome | Promise<AttemptOutcome> =>
          quick
            ? { reply: quick.reply, attempt: 1, delivery: 'passive', key, meta: quick.meta }
            : answerFully(message, context, key, receivedAt),
        (error: unknown) => failedAttempt(message, error),
      );
    } catch (error) {
      return Promise.resolve(failedAttempt(message, error));
    }
  }

  /** The full path: the message's job (here or on another instance), waited for within the attempt's time. */
  async function answerFully(
    message: InboundMessage,
    context: AttemptContext,
    key: string,
    receivedAt: number,
  ): Promise<AttemptOutcome> {
    try {
      const openid = message.fromUser;
      const deadline = receivedAt + timing.replyBudgetMs;
      // Read only past the fast path: the webhook starts listening for the hang-up when it is read.
      const hangUp = context.hangUp ?? (context.signal ? hangUpOfSignal(context.signal) : undefined);

      const inferred = inferAttempt(message.createTime, receivedAt, timing);
      const found = await findJob(message, key, receivedAt, inferred, deadline, hangUp);
      const { attempt } = found;
      let { job } = found;
      let ready = found.ready;
      if (!ready) {
        // A job of this process (the usual case) is waited for as it is; another instance's is watched in the store.
        if (job) ready = await waitReady(key, job, deadline - clock.now(), hangUp);
        else ({ ready, job } = await watchElsewhere(message, key, receivedAt, attempt, deadline - clock.now(), hangUp));
      }
      if (ready) return deliver(ready, attempt, job, key);
      if (hangUp?.gone) return dropped(key, openid, job, attempt);

      if (job && !closing && delivery.mode() === 'active') {
        // Active delivery: WeChat gets `success` now, the user "typing…", and the answer is pushed when ready.
        jobs.pushWhenReady(job);
        return { reply: { type: 'success' }, attempt, delivery: 'push', key, meta: { source: 'push-pending' } };
      }
      if (attempt < timing.attempts && !closing) {
        // Hold the connection: WeChat drops it at its timeout and retries. An answer landing meanwhile still goes out.
        const holdMs = timing.wechatTimeoutMs + HOLD_GRACE_MS - (clock.now() - receivedAt);
        if (job) ready = await waitReady(key, job, holdMs, hangUp);
        else ({ ready, job } = await watchElsewhere(message, key, receivedAt, attempt, holdMs, hangUp));
        if (ready) return deliver(ready, attempt, job, key);
        if (hangUp?.gone) return dropped(key, openid, job, attempt);
        // Not dropped at WeChat's timeout: not WeChat, or we are shutting down. Answer as on the last attempt.
      }
      if (job?.result) return deliver({ result: job.result, pushed: false }, attempt, job, key);
      jobs.sendToOutbox(key, openid);
      return {
        reply: { type: 'text', content: texts.thinking },
        attempt,
        delivery: 'outbox',
        key,
        meta: { source: closing ? 'shutdown' : 'thinking' },
      };
    } catch (error) {
      return failedAttempt(message, error);
    }
  }

  /** What an attempt that failed unexpectedly answers: a notice, the detail in the log. */
  function failedAttempt(message: InboundMessage, error: unknown): AttemptOutcome {
    const storeDown = error instanceof StoreError;
    logger.error(
      { err: messageOf(error), code: (error as { code?: string }).code },
      storeDown ? 'store unavailable' : 'answering an attempt failed',
    );
    return {
      reply: { type: 'text', content: storeDown ? texts.storeDown : texts.internalError },
      attempt: 0,
      delivery: 'passive',
      key: jobKey(message),
      meta: { source: storeDown ? 'store-down' : 'error' },
    };
  }

  /**
   * Shutdown is a delivery event: every held attempt answers now (the answer if ready, else the thinking notice), and
   * the answers still being prepared go to their users' outboxes when they finish.
   */
  function shutdown(): void {
    closing = true;
    const woken: (() => void)[] = [];
    for (let waiting = waitingHead; waiting; waiting = waiting.next) woken.push(waiting.wake);
    for (const wake of woken) wake();
    for (const job of jobs.unfinished()) {
      // A push still goes out during the drain; what it cannot push it keeps in the outbox itself.
      if (job.handover !== 'push') jobs.sendToOutbox(job.key, job.openid);
    }
  }

  return { respond, shutdown };
}

export type Attempts = ReturnType<typeof createAttempts>;
