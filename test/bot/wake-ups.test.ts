// The attempts' shared wake-up timer against a plain model: a setTimeout per wake-up, cleared on cancel.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Clock, clockWithNow, systemClock, type TimerHandle } from '../../src/bot/clock.js';
import { createWakeUps, type WakeUp } from '../../src/bot/wake-ups.js';

type Step = { kind: 'add'; ms: number } | { kind: 'cancel'; pick: number } | { kind: 'tick'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), ms: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40 }) }),
);

describe('createWakeUps', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('wakes like a timer per wake-up: the same ones, at the same times, in the same order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        vi.clearAllTimers();
        const wakeUps = createWakeUps(systemClock);
        const ours: string[] = [];
        const model: string[] = [];
        const pending: { id: number; entry: WakeUp; timer: TimerHandle }[] = [];
        let ids = 0;
        for (const s of steps) {
          if (s.kind === 'add') {
            const id = ids++;
            const entry = wakeUps.after(s.ms, () => ours.push(`${id}@${Date.now()}`));
            const timer = setTimeout(() => model.push(`${id}@${Date.now()}`), s.ms);
            pending.push({ id, entry, timer });
          } else if (s.kind === 'cancel') {
            if (pending.length === 0) continue;
            const [chosen] = pending.splice(s.pick % pending.length, 1);
            wakeUps.cancel(chosen!.entry);
            clearTimeout(chosen!.timer);
          } else vi.advanceTimersByTime(s.ms);
        }
        vi.advanceTimersByTime(100);
        expect(ours).toEqual(model);
        expect(wakeUps.size).toBe(0);
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });

  it('cancelling one that woke already does nothing', () => {
    const wakeUps = createWakeUps(systemClock);
    const woke: string[] = [];
    const first = wakeUps.after(10, () => woke.push('first'));
    wakeUps.after(20, () => woke.push('second'));
    vi.advanceTimersByTime(10);
    wakeUps.cancel(first);
    vi.advanceTimersByTime(10);
    expect(woke).toEqual(['first', 'second']);
  });

  it('trusts the timer over a clock whose time stands still (the `now` option beside the system timers)', () => {
    const wakeUps = createWakeUps(clockWithNow(() => 1_000));
    const woke: number[] = [];
    wakeUps.after(30, () => woke.push(1));
    wakeUps.after(50, () => woke.push(2));
    vi.advanceTimersByTime(29);
    expect(woke).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(woke).toEqual([1]);
    vi.advanceTimersByTime(20);
    expect(woke).toEqual([1, 2]);
  });

  it('keeps the process alive while anyone waits, and not once nobody does', () => {
    const handles: TimerHandle[] = [];
    const clock: Clock = {
      ...systemClock,
      setTimeout: (callback, ms) => {
        const handle = systemClock.setTimeout(callback, ms);
        handles.push(handle);
        return handle;
      },
    };
    const wakeUps = createWakeUps(clock);
    const first = wakeUps.after(1_000, () => {});
    expect(handles.at(-1)!.hasRef()).toBe(true);
    wakeUps.cancel(first);
    expect(handles.at(-1)!.hasRef()).toBe(false);
    // A later one needs no new timer (the armed one fires first, then arms for it), and holds the process again.
    const second = wakeUps.after(2_000, () => {});
    expect(handles).toHaveLength(1);
    expect(handles[0]!.hasRef()).toBe(true);
    let woke = false;
    wakeUps.cancel(second);
    wakeUps.after(1_500, () => {
      woke = true;
    });
    vi.advanceTimersByTime(1_000);
    expect(woke).toBe(false);
    vi.advanceTimersByTime(500);
    expect(woke).toBe(true);
  });
});
