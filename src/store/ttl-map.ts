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

export function createTtlMap<T>({ maxKeys, now }: { maxKeys: number; now: () => number }): TtlMap<T> {
  const entries = new Map<string, TtlEntry<T>>();

  function entry(key: string): TtlEntry<T> | undefined {
    const found = entries.get(key);
    if (!found) return undefined;
    entries.delete(key);
    if (found.expiresAt <= now()) return undefined;
    entries.set(key, found);
    return found;
  }

  function set(key: string, value: T, ttlMs: number): TtlEntry<T> {
    const expiresAt = now() + ttlMs;
    const found = entries.get(key);
    if (found) {
      entries.delete(key);
      found.value = value;
      found.expiresAt = expiresAt;
      entries.set(key, found);
      return found;
    }
    const created = { value, expiresAt };
    entries.set(ownString(key), created);
    reclaim();
    return created;
  }

  function reclaim(): void {
    const time = now();
    let checked = 0;
    for (const [key, cold] of entries) {
      if (checked++ >= RECLAIM_PER_WRITE || cold.expiresAt > time) break;
      entries.delete(key);
    }
    while (entries.size > maxKeys) {
      const coldest = entries.keys().next();
      if (coldest.done) break;
      entries.delete(coldest.value);
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
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
