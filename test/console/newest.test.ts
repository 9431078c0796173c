// The console history's container: the newest N values by key, against a plain model (the last N of a list).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewestMap } from '../../src/console/newest.js';

describe('NewestMap', () => {
  it('holds the newest `bound` values, oldest first, each found by its key while it is among them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 40 }), (bound, count) => {
        const newest = new NewestMap<number>(bound);
        const added: number[] = [];
        for (let n = 0; n < count; n++) {
          newest.add(`k${n}`, n);
          added.push(n);
          const kept = added.slice(-bound);
          expect(newest.values()).toEqual(kept);
          expect(newest.size).toBe(kept.length);
          for (const value of added) expect(newest.get(`k${value}`)).toBe(kept.includes(value) ? value : undefined);
        }
      }),
      { seed: 20261201, numRuns: 200 },
    );
  });

  it('takes back a key that was pushed out', () => {
    const newest = new NewestMap<string>(2);
    newest.add('a', 'first');
    newest.add('b', 'b');
    newest.add('c', 'c');
    expect(newest.get('a')).toBeUndefined();
    newest.add('a', 'again');
    expect(newest.get('a')).toBe('again');
    expect(newest.values()).toEqual(['c', 'again']);
  });

  it('refuses a bound below one', () => {
    expect(() => new NewestMap(0)).toThrow(RangeError);
  });
});
