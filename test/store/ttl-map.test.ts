/** The memory store's container against a plain model of an LRU map with expiry, under random operations. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTtlMap, createTtlTables, type TtlMap } from '../../src/store/ttl-map.js';

type Op =
  | { kind: 'set'; key: string; ttl: number }
  | { kind: 'get'; key: string }
  /** The memory store's way of adding: entry() first, add() only when it found nothing. */
  | { kind: 'entryOrAdd'; key: string; ttl: number }
  | { kind: 'delete'; key: string }
  | { kind: 'tick'; ms: number }
  | { kind: 'sweep' };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, ttl: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('get' as const), key }),
  fc.record({ kind: fc.constant('entryOrAdd' as const), key, ttl: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('sweep' as const) }),
);

/** The model: keys in least-recently-used order with their expiry; the same reclaim rules, written plainly. */
function model(maxKeys: number) {
  let order: { key: string; value: number; expiresAt: number }[] = [];
  return {
    set(k: string, value: number, expiresAt: number, time: number) {
      const found = order.find((e) => e.key === k);
      order = order.filter((e) => e.key !== k);
      order.push({ key: k, value, expiresAt });
      if (found) return;
      for (let i = 0; i < 2 && order[0] && order[0].expiresAt <= time; i++) order.shift();
      while (order.length > maxKeys) order.shift();
    },
    get(k: string, time: number) {
      const found = order.find((e) => e.key === k);
      order = order.filter((e) => e.key !== k);
      if (!found || found.expiresAt <= time) return undefined;
      order.push(found);
      return found.value;
    },
    delete(k: string) {
      order = order.filter((e) => e.key !== k);
    },
    sweep(time: number) {
      order = order.filter((e) => e.expiresAt > time);
    },
    get size() {
      return order.length;
    },
  };
}

/**
 * Applies one step to the map and to the model alike; `named` is the model's key for the step's key (the tables test
 * names the table in it). The clock is shared with the map's `now`.
 */
function apply(
  step: Op,
  value: number,
  map: TtlMap<number>,
  expected: ReturnType<typeof model>,
  clock: { time: number },
  named = 'key' in step ? step.key : '',
): void {
  switch (step.kind) {
    case 'set':
      map.set(step.key, value, step.ttl);
      expected.set(named, value, clock.time + step.ttl, clock.time);
      break;
    case 'get':
      expect(map.get(step.key)).toBe(expected.get(named, clock.time));
      break;
    case 'entryOrAdd':
      if (!map.entry(step.key)) map.add(step.key, value, step.ttl);
      if (expected.get(named, clock.time) === undefined) expected.set(named, value, clock.time + step.ttl, clock.time);
      break;
    case 'delete':
      map.delete(step.key);
      expected.delete(named);
      break;
    case 'tick':
      clock.time += step.ms;
      break;
    case 'sweep':
      // A table's sweep is its bound's: every table sharing it is swept.
      map.sweep();
      expected.sweep(clock.time);
      break;
  }
}

describe('createTtlMap', () => {
  it('behaves like an LRU map with expiry: same values, same size, same evictions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 200 }), (maxKeys, ops) => {
        const clock = { time: 0 };
        const map = createTtlMap<number>({ maxKeys, now: () => clock.time });
        const expected = model(maxKeys);
        ops.forEach((step, value) => {
          apply(step, value, map, expected, clock);
          expect(map.size).toBe(expected.size);
        });
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });

  it('keeps tables apart under one bound and one recency order: like one map whose keys name their table', () => {
    const tableOp = fc.tuple(fc.constantFrom(0, 1, 2), op);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(tableOp, { maxLength: 200 }), (maxKeys, ops) => {
        const clock = { time: 0 };
        const shared = createTtlTables({ maxKeys, now: () => clock.time });
        const tables: TtlMap<number>[] = [shared.table<number>(), shared.table<number>(), shared.table<number>()];
        const expected = model(maxKeys);
        ops.forEach(([at, step], value) => {
          // The same key in two tables is two entries.
          apply(step, value, tables[at]!, expected, clock, `${at}:${'key' in step ? step.key : ''}`);
          expect(shared.size).toBe(expected.size);
          expect(tables.reduce((sum, table) => sum + table.size, 0)).toBe(expected.size);
        });
        // A table's live entries are its own, by its own keys.
        for (const [at, table] of tables.entries()) {
          const live = table.live().map(([key, entry]) => [`${at}:${key}`, entry.value]);
          for (const [named, value] of live) expect(expected.get(named as string, clock.time)).toBe(value);
        }
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it('stays fast at its bound: 200,000 writes into 1,000 keys evict in order', () => {
    const map = createTtlMap<number>({ maxKeys: 1000, now: () => 0 });
    for (let i = 0; i < 200_000; i++) map.set(`k${i}`, i, 60_000);
    expect(map.size).toBe(1000);
    expect(map.get('k198999')).toBeUndefined();
    expect(map.get('k199000')).toBe(199_000);
  });
});
