/**
 * Bounded maps with an expiry per entry, the memory store's only containers. Entries in least-recently-used order
 * (a read moves the key to the end), so the bound evicts the coldest keys; expired entries are invisible, dropped when
 * touched, a few per write from the cold end, and all at once by sweep(). The tables of one memory store (one per kind
 * of entry) share one bound and one order.
 */

import { ownString } from '../own-string.js';

export interface TtlEntry<T> {
  /** The key, as the table keeps it (its own copy of the caller's string). */
  readonly key: string;
  value: T;
  /** Epoch ms (on the map's clock) from which the entry no longer exists. */
  expiresAt: number;
}

export interface TtlMap<T> {
  /** The live entry (moved to the most recently used end), for reads and in-place updates that keep its expiry. */
  entry(key: string): TtlEntry<T> | undefined;
  get(key: string): T | undefined;
  set(key: string, value: T, ttlMs: number): TtlEntry<T>;
  /** set() for an entry entry() has just returned: its value and expiry replaced, with no second search. */
  renew(entry: TtlEntry<T>, value: T, ttlMs: number): void;
  /** set() for a key that entry() or get() has just found absent: the table is not searched for it again. */
  add(key: string, value: T, ttlMs: number): TtlEntry<T>;
  delete(key: string): void;
  /** Drops every expired entry (of every table sharing its bound); returns how many. */
  sweep(): number;
  /** The live entries (for snapshots), without changing their recency. */
  live(): [string, TtlEntry<T>][];
  /** Forgets this table's entries. */
  clear(): void;
  /** This table's entries, expired ones not yet reclaimed included. */
  readonly size: number;
}

/** Expired entries a write reclaims from the cold end: enough to keep up with writes, never a long pause. */
const RECLAIM_PER_WRITE = 2;

/** An entry in the recency list (of any table): coldest at the head, most recently used at the tail. */
interface Linked {
  readonly key: string;
  expiresAt: number;
  /** The table the entry is in. */
  table: { delete(key: string): boolean };
  prev: Linked | undefined;
  next: Linked | undefined;
}

interface Slot<V> extends Linked, TtlEntry<V> {}

/** Several maps of their own keys (one per kind of entry) under one bound and one recency order. */
export interface TtlTables {
  /** A new, empty table. Its entries count against the shared bound, and the least recently used of all tables go. */
  table<V>(): TtlMap<V>;
  /** Drops every expired entry of every table; returns how many. */
  sweep(): number;
  clear(): void;
  /** Entries held by all tables together. */
  readonly size: number;
}

export function createTtlMap<T>(options: { maxKeys: number; now: () => number }): TtlMap<T> {
  return createTtlTables(options).table<T>();
}

/**
 * One Map per table finds entries; one linked list over all of them keeps their recency, for the bound. A table per
 * kind (rather than one Map with a prefix per kind in the key) looks entries up by the caller's own string — an openid
 * read from the message, whose hash V8 keeps once computed — instead of a new concatenation to flatten and hash on
 * every call, and keeps no prefixed copy of the key.
 */
export function createTtlTables({ maxKeys, now }: { maxKeys: number; now: () => number }): TtlTables {
  const tables: { clear(): void }[] = [];
  let size = 0;
  let head: Linked | undefined;
  let tail: Linked | undefined;

  /**
   * Moving a key to the end of a Map itself (delete, then set again) leaves a deleted slot in its hash chain each
   * time until the Map rehashes: a key touched on every message (the day's quota tally) then made each lookup walk
   * tens of thousands of dead slots. So the recency order is the list's, not the Map's.
   */
  function unlink(slot: Linked): void {
    if (slot.prev) slot.prev.next = slot.next;
    else head = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else tail = slot.prev;
    slot.prev = undefined;
    slot.next = undefined;
  }

  function append(slot: Linked): void {
    slot.prev = tail;
    if (tail) tail.next = slot;
    else head = slot;
    tail = slot;
  }

  function toEnd(slot: Linked): void {
    if (slot === tail) return;
    unlink(slot);
    append(slot);
  }

  function remove(slot: Linked): void {
    slot.table.delete(slot.key);
    size--;
    unlink(slot);
  }

  function reclaim(): void {
    const time = now();
    for (let checked = 0; checked < RECLAIM_PER_WRITE && head && head.expiresAt <= time; checked++) remove(head);
    while (size > maxKeys && head) remove(head);
  }

  function sweep(): number {
    const time = now();
    let dropped = 0;
    for (let slot = head; slot; ) {
      const next = slot.next;
      if (slot.expiresAt <= time) {
        remove(slot);
        dropped++;
      }
      slot = next;
    }
    return dropped;
  }

  function table<V>(): TtlMap<V> {
    const entries = new Map<string, Slot<V>>();
    tables.push(entries);

    function entry(key: string): TtlEntry<V> | undefined {
      const found = entries.get(key);
      if (!found) return undefined;
      if (found.expiresAt <= now()) {
        remove(found);
        return undefined;
      }
      toEnd(found);
      return found;
    }

    function set(key: string, value: V, ttlMs: number): TtlEntry<V> {
      const found = entries.get(key);
      if (!found) return add(key, value, ttlMs);
      renew(found, value, ttlMs);
      return found;
    }

    function renew(found: TtlEntry<V>, value: V, ttlMs: number): void {
      const slot = found as Slot<V>;
      slot.value = value;
      slot.expiresAt = now() + ttlMs;
      toEnd(slot);
    }

    function add(key: string, value: V, ttlMs: number): TtlEntry<V> {
      const owned = ownString(key);
      const created: Slot<V> = {
        value,
        expiresAt: now() + ttlMs,
        key: owned,
        table: entries,
        prev: undefined,
        next: undefined,
      };
      entries.set(owned, created);
      size++;
      append(created);
      reclaim();
      return created;
    }

    return {
      entry,
      get: (key) => entry(key)?.value,
      set,
      renew,
      add,
      delete: (key) => {
        const found = entries.get(key);
        if (found) remove(found);
      },
      sweep,
      live() {
        const time = now();
        const found: [string, TtlEntry<V>][] = [];
        for (const [key, slot] of entries) if (slot.expiresAt > time) found.push([key, slot]);
        return found;
      },
      clear() {
        for (const slot of entries.values()) unlink(slot);
        size -= entries.size;
        entries.clear();
      },
      get size() {
        return entries.size;
      },
    };
  }

  return {
    table,
    sweep,
    clear() {
      for (const entries of tables) entries.clear();
      size = 0;
      head = undefined;
      tail = undefined;
    },
    get size() {
      return size;
    },
  };
}
