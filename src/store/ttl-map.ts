/**
 * A bounded map with an expiry per entry, the memory store's only container. Entries in least-recently-used order
 * (a read moves the key to the end), so the bound evicts the coldest keys; expired entries are invisible, dropped when
 * touched, a few per write from the cold end, and all at once by sweep().
 */

import { ownString } from '../own-string.js';

export interface TtlEntry<T> {
  value: T;
  /** Epoch ms (on the map's clock) from which the entry no longer exists. */
  expiresAt: number;
}

export interface TtlMap<T> {
  /** The live entry (moved to the most recently used end), for reads and in-place updates that keep its expiry. */
  entry(key: string): TtlEntry<T> | undefined;
  get(key: string): T | undefined;
  set(key: string, value: T, ttlMs: number): TtlEntry<T>;
  delete(key: string): void;
  /** Drops every expired entry; returns how many. */
  sweep(): number;
  /** The live entries whose key starts with prefix (for snapshots), without changing their recency. */
  live(prefix: string): [string, TtlEntry<T>][];
  clear(): void;
  readonly size: number;
}

/** Expired entries a write reclaims from the cold end: enough to keep up with writes, never a long pause. */
const RECLAIM_PER_WRITE = 2;

/**
 * The same string as one flat buffer. JSON.stringify returns a rope of the pieces it built (~110 bytes more for a
 * small session); reading a character makes V8 flatten it once, and the collector then drops the rope.
 */
export function flatString(value: string): string {
  value.charCodeAt(0);
  return value;
}

/** An entry in the recency list: coldest at the head, most recently used at the tail. */
interface Slot<T> extends TtlEntry<T> {
  key: string;
  prev: Slot<T> | undefined;
  next: Slot<T> | undefined;
}

export function createTtlMap<T>({ maxKeys, now }: { maxKeys: number; now: () => number }): TtlMap<T> {
  /**
   * The Map finds entries; a linked list keeps their recency. Moving a key to the end of the Map itself (delete, then
   * set again) leaves a deleted slot in its hash chain each time until the Map rehashes: a key touched on every
   * message (the day's quota tally) then made each lookup walk tens of thousands of dead slots.
   */
  const entries = new Map<string, Slot<T>>();
  let head: Slot<T> | undefined;
  let tail: Slot<T> | undefined;

  function unlink(slot: Slot<T>): void {
    if (slot.prev) slot.prev.next = slot.next;
    else head = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else tail = slot.prev;
    slot.prev = undefined;
    slot.next = undefined;
  }

  function append(slot: Slot<T>): void {
    slot.prev = tail;
    if (tail) tail.next = slot;
    else head = slot;
    tail = slot;
  }

  function toEnd(slot: Slot<T>): void {
    if (slot === tail) return;
    unlink(slot);
    append(slot);
  }

  function remove(slot: Slot<T>): void {
    entries.delete(slot.key);
    unlink(slot);
  }

  function entry(key: string): TtlEntry<T> | undefined {
    const found = entries.get(key);
    if (!found) return undefined;
    if (found.expiresAt <= now()) {
      remove(found);
      return undefined;
    }
    toEnd(found);
    return found;
  }

  function set(key: string, value: T, ttlMs: number): TtlEntry<T> {
    const expiresAt = now() + ttlMs;
    const found = entries.get(key);
    if (found) {
      found.value = value;
      found.expiresAt = expiresAt;
      toEnd(found);
      return found;
    }
    const owned = ownString(key);
    const created: Slot<T> = { value, expiresAt, key: owned, prev: undefined, next: undefined };
    entries.set(owned, created);
    append(created);
    reclaim();
    return created;
  }

  function reclaim(): void {
    const time = now();
    for (let checked = 0; checked < RECLAIM_PER_WRITE && head && head.expiresAt <= time; checked++) remove(head);
    while (entries.size > maxKeys && head) remove(head);
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

  return {
    entry,
    get: (key) => entry(key)?.value,
    set,
    delete: (key) => {
      const found = entries.get(key);
      if (found) remove(found);
    },
    sweep,
    live(prefix) {
      const time = now();
      const found: [string, TtlEntry<T>][] = [];
      for (const [key, slot] of entries) {
        if (key.startsWith(prefix) && slot.expiresAt > time) found.push([key, slot]);
      }
      return found;
    },
    clear: () => {
      entries.clear();
      head = undefined;
      tail = undefined;
    },
    get size() {
      return entries.size;
    },
  };
}
