/**
 * How long the engine waits for the store. A call that only refines an answer (the rate limit, the conversation, the
 * waiting answer) gets a second; once one has timed out or failed, the store is taken as unavailable and the next
 * calls get a few tens of milliseconds, so an answer pays for a stalled store once, not once per call. The calls
 * themselves are never cancelled: they complete in the background.
 *
 * An in-process store (the memory store: each call does its work before it returns) cannot stall: its calls are
 * taken as they settle, with no race, no timer and no hang-up listener.
 */
import { StoreError } from '../errors.js';
import type { Clock } from './clock.js';
import { type Raced, within } from './deadline.js';
import type { HangUp } from './hang-up.js';

/** The usual wait, and the wait while the store has just timed out. */
const PATIENT_MS = 1000;
const IMPATIENT_MS = 50;
/** How long after a timeout the store counts as stalled. */
const STALL_MEMORY_MS = 5000;

export interface StorePatience {
  /**
   * Races the call against the current patience (at most maxMs). `call` is made of store calls only: with an
   * in-process store it is awaited as it is.
   */
  wait<T>(call: Promise<T>, maxMs?: number, hangUp?: HangUp): Promise<Raced<T>>;
  /**
   * wait(), with the outcome handed on in the same step: the value to onValue, else the failure to onFailure (its
   * reason: 'failed' when not given). One promise step per store call rather than two, for the calls every message
   * makes; the handlers can be made once, not per call.
   */
  handle<T, R>(call: Promise<T>, onValue: (value: T) => R, onFailure: FailureHandler<R>, maxMs?: number): Promise<R>;
}

/** What a store call that did not answer (in time) becomes: the error (when it failed) and why. */
export type FailureHandler<R> = (error: unknown, reason?: 'timeout' | 'failed' | 'aborted') => R;

/** A read's value as it is: handle()'s onValue where the value is the answer. */
export const asIs = <T>(value: T): T => value;

/**
 * Whether a store call that did not answer was the store being unavailable (a timeout, a hang-up, a StoreError),
 * which callers fall back from, rather than a bug, which they let through.
 */
export const storeUnavailable = (error: unknown, reason: 'timeout' | 'failed' | 'aborted' = 'failed'): boolean =>
  reason !== 'failed' || error instanceof StoreError;

export interface StorePatienceOptions {
  /** The store's calls do their work before they return (`Store.inProcess`). */
  inProcess?: boolean;
}

// Module-level, so that an in-process call costs one reaction and no closure.
const settledOk = <T>(value: T): Raced<T> => ({ ok: true, value });
const settledFailed = (error: unknown): Raced<never> => ({ ok: false, reason: 'failed', error });
const aborted: Raced<never> = { ok: false, reason: 'aborted' };

export function createStorePatience(clock: Clock, { inProcess = false }: StorePatienceOptions = {}): StorePatience {
  if (inProcess) {
    return {
      wait(call, _maxMs, hangUp) {
        if (!hangUp?.gone) return call.then(settledOk, settledFailed);
        call.catch(() => {});
        return Promise.resolve(aborted);
      },
      handle(call, onValue, onFailure) {
        return call.then(onValue, onFailure);
      },
    };
  }
  let stalledAt = Number.NEGATIVE_INFINITY;
  // A timeout, or a failure (the store's own command timeout, a refused connection): the store is unavailable.
  const note = (raced: Raced<unknown>) => {
    if (raced.ok) stalledAt = Number.NEGATIVE_INFINITY;
    else if (raced.reason !== 'aborted') stalledAt = clock.now();
  };
  const wait = <T>(call: Promise<T>, maxMs = PATIENT_MS, hangUp?: HangUp): Promise<Raced<T>> => {
    const stalled = clock.now() - stalledAt < STALL_MEMORY_MS;
    return within(call, Math.min(maxMs, stalled ? IMPATIENT_MS : PATIENT_MS), clock, hangUp, note);
  };
  return {
    wait,
    handle(call, onValue, onFailure, maxMs) {
      return wait(call, maxMs).then((raced) =>
        raced.ok ? onValue(raced.value) : onFailure(raced.error, raced.reason),
      );
    },
  };
}
