/**
 * The deadline arithmetic of WeChat's 5-second rule: which attempt a request is, and store calls raced against the time
 * an attempt has left. Pure apart from the clock.
 */
import type { ResolvedConfig } from '../config.js';
import type { Clock, TimerHandle } from './clock.js';
import type { HangUp } from './hang-up.js';

type Timing = ResolvedConfig['timing'];

/**
 * The attempt a request is, judged from the message itself. All attempts of one message carry the same CreateTime
 * (whole seconds, WeChat's clock) and arrive about one timeout apart, so the time since it tells the attempt even when
 * no stored counter does (the store lost it, or is too slow to ask). The estimate errs low by design: it counts from
 * the earliest moment the message can have been created (CreateTime is rounded down) and allows clockSkewMs of skew
 * the other way, so a first attempt is never taken for a later one; a CreateTime too old (or in milliseconds) for
 * WeChat to still be retrying tells nothing, and gives 1.
 */
export function inferAttempt(createTimeSec: number, receivedAt: number, timing: Timing): number {
  const sinceCreated = receivedAt - createTimeSec * 1000;
  const lastWindowEnds = timing.attempts * timing.wechatTimeoutMs + timing.clockSkewMs + 1000;
  if (!Number.isFinite(sinceCreated) || sinceCreated < 0 || sinceCreated > lastWindowEnds) return 1;
  const earliest = sinceCreated - 999 + timing.clockSkewMs;
  const attempt = 1 + Math.floor(Math.max(0, earliest) / timing.wechatTimeoutMs);
  return Math.min(attempt, timing.attempts);
}

export type Raced<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'timeout' | 'failed' | 'aborted'; error?: unknown };

/**
 * Waits for a promise at most ms (and not past the client hanging up). The loser is not cancelled: it goes on in the
 * background and its failure is swallowed here (the caller decides what a timeout means; late work completes on its
 * own). A promise settled by the next microtask (a store that answers at once) is taken as it is: the timer and the
 * hang-up listener are armed only for one that is still pending then. (An in-process store's calls do not come here
 * at all: see store-patience.ts.)
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  clock: Clock,
  hangUp?: HangUp,
  /** Told how the race ended, before the caller is (no promise of its own). */
  onSettled?: (raced: Raced<T>) => void,
): Promise<Raced<T>> {
  if (hangUp?.gone) {
    promise.catch(() => {});
    return Promise.resolve({ ok: false, reason: 'aborted' });
  }
  return new Promise((resolve) => {
    let settled = false;
    let timer: TimerHandle | undefined;
    let stopListening: (() => void) | undefined;
    const finish = (raced: Raced<T>) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      stopListening?.();
      onSettled?.(raced);
      resolve(raced);
    };
    promise.then(
      (value) => finish({ ok: true, value }),
      (error: unknown) => finish({ ok: false, reason: 'failed', error }),
    );
    // Queued after the promise's own reaction: when that has run, the race is over before it began. (Not
    // queueMicrotask: Node wraps each callback in an AsyncResource and a bound function.)
    void Promise.resolve().then(() => {
      if (settled) return;
      timer = clock.setTimeout(() => finish({ ok: false, reason: 'timeout' }), Math.max(0, ms));
      stopListening = hangUp?.listen(() => finish({ ok: false, reason: 'aborted' }));
    });
  });
}
