/**
 * A timing decorator over the Store for /metrics: each operation's latency and failures, by operation. It adds one
 * clock read and one settled-handler per call; waitForJob (a long poll whose length is the wait, not the store) and
 * close are passed through untimed. A store whose calls do their work before they return (`inProcess`: the memory
 * store) is timed as the call runs, with no handler on its promise: a handler per call cost a model answer about 5 %
 * of its webhook time. Its calls do not fail (they touch no network): a bug in one rejects to the caller as before.
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

/** Told of one finished call: its seconds, and whether it failed. */
export type StoreMeter = (op: StoreOp, seconds: number, failed: boolean) => void;

/** The store, with its timed operations reporting to `meter`. Everything else (kind, waitForJob…) is the store's own. */
export function meterStore(store: Store, meter: StoreMeter): Store {
  const metered: Store = Object.create(store);
  const inProcess = store.inProcess === true;
  for (const op of TIMED_STORE_OPS) {
    const call = store[op] as (...args: unknown[]) => Promise<unknown>;
    const timed = function timedStoreCall(...args: unknown[]): Promise<unknown> {
      const start = performance.now();
      const pending = call.apply(store, args);
      if (inProcess) meter(op, (performance.now() - start) / 1000, false);
      else {
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
