// The memory store's rate counters against a plain model: a counter per key that starts at its first hit and resets a
// window later (windows up to 16.4 s are kept to the millisecond).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HitCounters } from '../../src/store/hit-counters.js';

type Step = { kind: 'hit'; key: string; window: number } | { kind: 'tick'; ms: number } | { kind: 'sweep' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('hit' as const),
    key: fc.constantFrom('a', 'b', 'c'),
    window: fc.constantFrom(50, 120),
  }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 80 }) }),
  fc.record({ kind: fc.constant('sweep' as const) }),
);

describe('HitCounters', () => {
  it('counts like a counter per key and window length that resets a window after its first hit', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 150 }), (steps) => {
        const clock = { time: 1_000 };
        const counters = new HitCounters(() => clock.time, 1_000);
        const model = new Map<string, { start: number; count: number }>();
        for (const s of steps) {
          if (s.kind === 'tick') clock.time += s.ms;
          else if (s.kind === 'sweep') counters.sweep();
          else {
            const id = `${s.window}:${s.key}`;
            const known = model.get(id);
            const fresh = !known || clock.time >= known.start + s.window;
            const expected = fresh ? { start: clock.time, count: 1 } : { start: known.start, count: known.count + 1 };
            model.set(id, expected);
            expect(counters.hit(s.key, s.window)).toBe(expected.count);
          }
        }
      }),
      { seed: 20261201, numRuns: 300 },
    );
  });

  it('keeps a minute to within a few ms: never longer than the window', () => {
    const clock = { time: 5_000 };
    const counters = new HitCounters(() => clock.time, 1_000);
    counters.hit('oEarlier', 60_000); // the generation starts here: oUser's start is kept in 4 ms steps from it
    clock.time += 1_234;
    expect(counters.hit('oUser', 60_000)).toBe(1);
    clock.time += 59_995;
    expect(counters.hit('oUser', 60_000)).toBe(2);
    clock.time += 5;
    expect(counters.hit('oUser', 60_000)).toBe(1);
  });

  it('holds at most maxKeys counters per generation, and lets ended generations go', () => {
    const clock = { time: 0 };
    const counters = new HitCounters(() => clock.time, 10);
    for (let n = 0; n < 100; n++) counters.hit(`u${n}`, 60_000);
    expect(counters.size).toBeLessThanOrEqual(20);
    expect(counters.hit('u99', 60_000)).toBe(2);
    clock.time += 60_000;
    counters.sweep();
    clock.time += 60_000;
    counters.sweep();
    expect(counters.size).toBe(0);
  });
});
