/**
 * The engine's patience with the store: a remote store's call is raced against a second (tens of milliseconds once it
 * has stalled); an in-process store's call is taken as it settles, with no timer armed for it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Clock, systemClock } from '../../src/bot/clock.js';
import { createStorePatience } from '../../src/bot/store-patience.js';

/** The system clock, counting the timers armed on it. */
function countingClock(): Clock & { armed: number } {
  const clock = {
    armed: 0,
    now: () => Date.now(),
    setTimeout(callback: () => void, ms: number) {
      clock.armed += 1;
      return systemClock.setTimeout(callback, ms);
    },
    clearTimeout: (handle: ReturnType<typeof setTimeout>) => systemClock.clearTimeout(handle),
  };
  return clock;
}

/** A call that settles after a few microtask hops, as a chain of in-process store calls does. */
async function afterHops<T>(value: T, hops = 3): Promise<T> {
  for (let i = 0; i < hops; i++) await Promise.resolve();
  return value;
}

describe('store patience', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes an in-process call as it settles: its value or its failure, and no timer', async () => {
    const clock = countingClock();
    const patience = createStorePatience(clock, { inProcess: true });
    await expect(patience.wait(afterHops(7))).resolves.toEqual({ ok: true, value: 7 });
    const error = new Error('broken');
    await expect(patience.wait(Promise.reject(error))).resolves.toEqual({ ok: false, reason: 'failed', error });
    expect(clock.armed).toBe(0);
  });

  it('an in-process call for a client already gone ends as aborted', async () => {
    const patience = createStorePatience(countingClock(), { inProcess: true });
    const gone = { gone: true, listen: () => () => {} };
    await expect(patience.wait(Promise.resolve(1), undefined, gone)).resolves.toEqual({ ok: false, reason: 'aborted' });
  });

  it('races a remote call against a second, then against 50 ms while the store counts as stalled', async () => {
    const clock = countingClock();
    const patience = createStorePatience(clock);
    const never = new Promise<number>(() => {});
    const first = patience.wait(never);
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(first).resolves.toEqual({ ok: false, reason: 'timeout' });
    const second = patience.wait(never);
    await vi.advanceTimersByTimeAsync(50);
    await expect(second).resolves.toEqual({ ok: false, reason: 'timeout' });
    // A remote call settled by the next microtask arms no timer either.
    const armed = clock.armed;
    await expect(patience.wait(Promise.resolve(3))).resolves.toEqual({ ok: true, value: 3 });
    expect(clock.armed).toBe(armed);
  });
});
