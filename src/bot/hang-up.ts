/**
 * The client (WeChat) hanging up, as the engine needs to know of it: whether it has, and a call when it does. An
 * AbortSignal says the same, but Node builds one at a cost of microseconds and collector work on every request that
 * waits for an answer; the webhook hands the engine this instead (from the response's 'close'), and a library caller's
 * AbortSignal is adapted to it.
 */
export interface HangUp {
  /** The client has gone before its answer was written. */
  readonly gone: boolean;
  /** Calls listener once when the client goes (not when it has already gone); returns what stops listening. */
  listen(listener: () => void): () => void;
}

export function hangUpOfSignal(signal: AbortSignal): HangUp {
  return {
    get gone() {
      return signal.aborted;
    },
    listen(listener) {
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}

const signals = new WeakMap<HangUp, AbortSignal>();

/**
 * An AbortSignal that aborts when the client goes: for the store's waitForJob, whose contract takes one. One per
 * hang-up, however often an attempt waits on the store.
 */
export function signalOfHangUp(hangUp: HangUp): AbortSignal {
  const known = signals.get(hangUp);
  if (known) return known;
  const controller = new AbortController();
  if (hangUp.gone) controller.abort();
  else hangUp.listen(() => controller.abort());
  signals.set(hangUp, controller.signal);
  return controller.signal;
}
