/**
 * A bounded map with an expiry per entry, the memory store's only container. One Map in least-recently-used order
 * (a read moves the key to the end), so the bound evicts the coldest keys; expired entries are invisible, dropped when
 * touched, a few per write from the cold end, and all at once by sweep().
 */

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
 * A copy of a string that shares no memory with another. Substrings of a request body (an openid parsed from XML) are
 * slices that keep the whole body alive; a key or field held for hours must not pin a 1 KB body per user.
 */
export function ownString(value: string): string {
  // A JSON round trip gives one flat string of exactly this length (cheaper to hold than a slice of a fresh copy).
  return JSON.parse(JSON.stringify(value)) as string;
}

/**
 * The same string as one flat buffer. JSON.stringify returns a rope of the pieces it built (~110 bytes more for a
 * small session); reading a character makes V8 flatten it once, and the collector then drops the rope.
 */
export function flatString(value: string): string {
  value.charCodeAt(0);
  return value;
}

/** An entry with the number of its last move to the recently used end, so a remembered cold end can be checked. */
interface Slot<T> extends TtlEntry<T> {
  moved: number;
}

export function createTtlMap<T>({ maxKeys, now }: { maxKeys: number; now: () => number }): TtlMap<T> {
  const entries = new Map<string, Slot<T>>();
  let moves = 0;

  /**
   * The cold end, found with one long-lived iterator: a Map keeps deleted slots until it rehashes, and starting a new
   * iterator at every write would walk over all of them (the store got slower the fuller it was). Everything behind
   * the cursor has been deleted or moved to the end, so the remembered head is the coldest entry while it stays put.
   */
  let cursor: Iterator<[string, Slot<T>]> | undefined;
  let head: { key: string; slot: Slot<T>; moved: number } | undefined;
  function coldest(): { key: string; slot: Slot<T> } | undefined {
    for (let fresh = false; ; ) {
      if (head && entries.get(head.key) === head.slot && head.slot.moved === head.moved) return head;
      head = undefined;
      cursor ??= entries.entries();
      const next = cursor.next();
      if (next.done) {
        cursor = undefined;
        if (fresh || entries.size === 0) return undefined;
        fresh = true;
        continue;
      }
      const [key, slot] = next.value;
      head = { key, slot, moved: slot.moved };
    }
  }

  function toEnd(key: string, slot: Slot<T>): void {
    entries.delete(key);
    slot.moved = ++moves;
    entries.set(key, slot);
  }

  function entry(key: string): TtlEntry<T> | undefined {
    const found = entries.get(key);
    if (!found) return undefined;
    if (found.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    toEnd(key, found);
    return found;
  }

  function set(key: string, value: T, ttlMs: number): TtlEntry<T> {
    const expiresAt = now() + ttlMs;
    const found = entries.get(key);
    if (found) {
      found.value = value;
      found.expiresAt = expiresAt;
      toEnd(key, found);
      return found;
    }
    const created: Slot<T> = { value, expiresAt, moved: ++moves };
    entries.set(ownString(key), created);
    reclaim();
    return created;
  }

  function reclaim(): void {
    const time = now();
    for (let checked = 0; checked < RECLAIM_PER_WRITE; checked++) {
      const cold = coldest();
      if (!cold || cold.slot.expiresAt > time) break;
      entries.delete(cold.key);
    }
    while (entries.size > maxKeys) {
      const cold = coldest();
      if (!cold) break;
      entries.delete(cold.key);
    }
  }

  function sweep(): number {
    const time = now();
    let dropped = 0;
    for (const [key, found] of entries) {
      if (found.expiresAt <= time) {
        entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  return {
    entry,
    get: (key) => entry(key)?.value,
    set,
    delete: (key) => {
      entries.delete(key);
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
      cursor = undefined;
      head = undefined;
    },
    get size() {
      return entries.size;
    },
  };
}
