/**
 * A timing decorator over the Store for /metrics: each operation's latency and failures, by operation. It adds a
 * clock read around each call and one settled-handler; waitForJob (a long poll whose length is the wait, not the store)
 * and close are passed through untimed. A store whose calls do their work before they return (`inProcess`: the memory
 * store) is timed as the call runs, with no handler on its promise (a handler per call cost a model answer about 5 % of
 * its webhook time), and only one call in TIME_ONE_IN of each operation is timed: the others count with the latency
 * last measured for it. Its calls take a microsecond or less, about what the two clock reads around one cost (two
 * clock reads per call were 7–15 % of the engine's time per model answer); counts stay exact. Its calls do not fail
 * (they touch no network): a bug in one rejects to the caller as before.
 */
import { performance } from 'node:perf_hooks';
import type { Store } from '../store/types.js';

/** The operations timed: every one of the contract that answers at the store's speed. */
export const TIMED_STORE_OPS = [
  'claimAttempt',
  'getJob',
  'completeJob',
  'deferJob',
  'sendToOutbox',
  'renewLease',
  'takeOver',
  'markDelivered',
  'claimOutbox',
  'claimUnseenAnswer',
  'ackOutbox',
  'dropSeenAnswers',
  'summarizeOutbox',
  'clearOutbox',
  'pendingAnswers',
  'removePending',
  'getSession',
  'setSession',
  'appendTurns',
  'deleteSession',
  'hit',
  'getValue',
  'setValue',
  'deleteValue',
  'tryLock',
  'addToTally',
  'topOfTally',
  'ping',
] as const satisfies readonly (keyof Store)[];

export type StoreOp = (typeof TIMED_STORE_OPS)[number];

/** An in-process store's calls timed: the first of each operation, then one in this many. */
export const TIME_ONE_IN = 16;

/** Told of one finished call: its seconds, and whether it failed. */
export type StoreMeter = (op: StoreOp, seconds: number, failed: boolean) => void;

/** The store, with its timed operations reporting to `meter`. Everything else (kind, waitForJob…) is the store's own. */
export function meterStore(store: Store, meter: StoreMeter): Store {
  const metered: Store = Object.create(store);
  const inProcess = store.inProcess === true;
  for (const op of TIMED_STORE_OPS) {
    const call = store[op] as (...args: unknown[]) => Promise<unknown>;
    /** In-process store: calls left before the next one timed, and the latency last measured (the others count it). */
    let untilTimed = 0;
    let lastSeconds = 0;
    const timed = function timedStoreCall(...args: unknown[]): Promise<unknown> {
      if (inProcess && untilTimed > 0) {
        untilTimed -= 1;
        const pending = call.apply(store, args);
        meter(op, lastSeconds, false);
        return pending;
      }
      const start = performance.now();
      const pending = call.apply(store, args);
      if (inProcess) {
        untilTimed = TIME_ONE_IN - 1;
        lastSeconds = (performance.now() - start) / 1000;
        meter(op, lastSeconds, false);
      } else {
        pending.then(
          () => meter(op, (performance.now() - start) / 1000, false),
          () => meter(op, (performance.now() - start) / 1000, true),
        );
      }
      return pending;
    };
    Object.defineProperty(metered, op, { value: timed, enumerable: true });
  }
  // Unlike the timed ones, these must run with the store as `this` whatever the adapter is.
  metered.waitForJob = store.waitForJob.bind(store);
  metered.close = store.close.bind(store);
  return metered;
}
