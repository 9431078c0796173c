import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { meterStore, type StoreOp, TIME_ONE_IN } from '../../src/metrics/store.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';

/** What the decorator told the meter, in order. */
function recording() {
  const told: { op: StoreOp; seconds: number; failed: boolean }[] = [];
  return { told, meter: (op: StoreOp, seconds: number, failed: boolean) => void told.push({ op, seconds, failed }) };
}

/** The memory store as a network store would present itself: calls settle later, so each is timed. */
function asNetworkStore(store: Store): Store {
  const remote: Store = Object.create(store);
  Object.defineProperty(remote, 'inProcess', { value: false });
  return remote;
}

describe('meterStore', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts every call of an in-process store and times the first and then one in TIME_ONE_IN of each operation', async () => {
    const store = createMemoryStore();
    const { told, meter } = recording();
    const metered = meterStore(store, meter);
    // Each timed call reads the clock twice, and answers with its own (fake) duration.
    let clock = 0;
    const reads = vi.spyOn(performance, 'now').mockImplementation(() => {
      clock += 0.25;
      return clock;
    });
    const calls = 2 * TIME_ONE_IN + 1;
    for (let i = 0; i < calls; i++) await metered.getSession(`user-${i}`);
    await metered.hit('rate:a', 60_000);

    expect(told.filter(({ op }) => op === 'getSession')).toHaveLength(calls);
    // getSession timed at calls 0, 16 and 32; hit's first call timed too.
    expect(reads).toHaveBeenCalledTimes(2 * 3 + 2);
    // Every duration counted is one measured: the latest for the calls in between.
    expect(told.every(({ seconds }) => seconds === 0.25 / 1000)).toBe(true);
    expect(told.at(-1)).toEqual({ op: 'hit', seconds: 0.25 / 1000, failed: false });
    await store.close();
  });

  it('carries the latest measured latency of the operation to the calls not timed', async () => {
    const store = createMemoryStore();
    const { told, meter } = recording();
    const metered = meterStore(store, meter);
    const durations = [0.5, 3];
    let reads = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      // start, end of the first timed call; start, end of the second.
      const at = [0, durations[0]!, 100, 100 + durations[1]!][reads++];
      return at ?? 0;
    });
    for (let i = 0; i < TIME_ONE_IN + 2; i++) await metered.getJob(`k${i}`);
    const seconds = told.map((entry) => entry.seconds);
    expect(seconds.slice(0, TIME_ONE_IN)).toEqual(Array(TIME_ONE_IN).fill(0.5 / 1000));
    expect(seconds.slice(TIME_ONE_IN)).toEqual([3 / 1000, 3 / 1000]);
    await store.close();
  });

  it('times every call of a store that is not in-process, failures included', async () => {
    const store = createMemoryStore();
    const network = asNetworkStore(store);
    const failing: Store = Object.create(network);
    Object.defineProperty(failing, 'setValue', { value: async () => Promise.reject(new Error('down')) });
    const { told, meter } = recording();
    const metered = meterStore(failing, meter);
    const reads = vi.spyOn(performance, 'now');
    for (let i = 0; i < TIME_ONE_IN + 1; i++) await metered.getSession(`user-${i}`);
    await expect(metered.setValue('k', 'v', 1000)).rejects.toThrow('down');

    expect(reads).toHaveBeenCalledTimes(2 * (TIME_ONE_IN + 2));
    expect(told.filter(({ op }) => op === 'getSession')).toHaveLength(TIME_ONE_IN + 1);
    expect(told.at(-1)).toMatchObject({ op: 'setValue', failed: true });
    await store.close();
  });
});
