/** Retrying a failed model call, explicitly: which failures, how many times, how long to wait, and what stops it. */
import { setTimeout as delay } from 'node:timers/promises';
import { LlmError } from '../errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The first backoff when the server names no delay; doubled each retry. */
  baseDelayMs: number;
  /** The cap on any wait, Retry-After included: a bot answering within seconds cannot wait a minute. */
  maxDelayMs: number;
}

/** How long to wait before retry number `retry` (0 for the first retry). */
export function retryDelay(error: LlmError, retry: number, { baseDelayMs, maxDelayMs }: RetryPolicy): number {
  const wanted = error.retryAfterMs ?? baseDelayMs * 2 ** retry;
  return Math.max(0, Math.min(wanted, maxDelayMs));
}

/**
 * Runs `attempt` until it succeeds, fails for good (not retryable, or `mayRetry` says no), or retries run out.
 * Only LlmErrors are retried; anything else is thrown at once, and once `signal` aborts its reason is thrown.
 */
export async function withRetries<T>(
  attempt: (retry: number) => Promise<T>,
  policy: RetryPolicy,
  { signal, mayRetry = () => true }: { signal?: AbortSignal; mayRetry?: () => boolean } = {},
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const retryable = error instanceof LlmError && error.retryable;
      if (!retryable || retry >= policy.maxRetries || !mayRetry()) throw error;
      await sleep(retryDelay(error, retry, policy), signal);
    }
  }
}

/** Resolves after ms; rejects with the signal's reason (not Node's AbortError) as soon as it aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

/**
 * One attempt's signal: aborts when the caller's signal does, or after timeoutMs. `timedOut` tells the two apart,
 * because the SDK reports both as a plain abort.
 */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  dispose(): void;
}

export function attemptSignal(timeoutMs: number, outer?: AbortSignal): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onOuterAbort = () => controller.abort(outer?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`No answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
