/** In-process wake-ups for waitForJob: waiters per job key, woken on completion, removed on timeout or abort. */
import type { JobRecord } from './types.js';

type Settle = (record: JobRecord | undefined) => void;

export interface PendingWait {
  promise: Promise<JobRecord | undefined>;
  /** Ends this wait alone (the caller found the job done, or failed while checking). */
  settle: Settle;
}

export interface JobWaiters {
  /** Registers a waiter; it resolves with undefined after timeoutMs or when the signal aborts. */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): PendingWait;
  /** Wakes every waiter of the key with the record. */
  notify(key: string, record: JobRecord): void;
  has(key: string): boolean;
  /** Keys someone waits for: the Redis store re-checks them after its subscriber reconnects. */
  keys(): string[];
  /** Resolves every waiter with undefined (the store is closing). */
  closeAll(): void;
  readonly size: number;
}

export function createJobWaiters(): JobWaiters {
  const byKey = new Map<string, Set<Settle>>();
  let count = 0;

  function wait(key: string, timeoutMs: number, signal?: AbortSignal): PendingWait {
    let settle: Settle = () => {};
    const promise = new Promise<JobRecord | undefined>((resolve) => {
      let done = false;
      const onAbort = () => settle(undefined);
      const timer = setTimeout(onAbort, Math.max(0, timeoutMs));
      settle = (record) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = byKey.get(key);
        if (set?.delete(settle)) {
          count--;
          if (set.size === 0) byKey.delete(key);
        }
        resolve(record);
      };
      let set = byKey.get(key);
      if (!set) {
        set = new Set();
        byKey.set(key, set);
      }
      set.add(settle);
      count++;
      if (signal?.aborted) settle(undefined);
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { promise, settle };
  }

  function notify(key: string, record: JobRecord): void {
    const set = byKey.get(key);
    if (!set) return;
    // Each waiter gets its own copy: callers may keep or change what they receive.
    for (const settle of [...set]) settle({ ...record });
  }

  function closeAll(): void {
    for (const set of [...byKey.values()]) for (const settle of [...set]) settle(undefined);
  }

  return {
    wait,
    notify,
    has: (key) => byKey.has(key),
    keys: () => [...byKey.keys()],
    closeAll,
    get size() {
      return count;
    },
  };
}
