/**
 * The memory store's counters for `hit()` (the per-user rate limit: one per message on the fast path). Each counter
 * starts at its first hit and resets `windowMs` later, as in Redis, but is kept as one small integer in a Map (its
 * count and when it started, packed), with no object, recency list or expiry entry of its own: a new user's first
 * message adds one Map entry and nothing else, and a later hit only replaces the integer.
 *
 * Counters are kept in two generations per window length. The current one takes counters started since it began;
 * once a window has passed it becomes the previous one, whose counters all end within the next window, and the one
 * before is let go whole (no delete per counter). A generation that reaches `maxKeys` counters is retired early, its
 * counters dropped a window sooner: the bound on memory, as the store's other tables have.
 */
import { ownString } from '../own-string.js';

/** A counter's count, below its start; counts stop at the largest that fits. */
const COUNT_SPAN = 2 ** 16;
const MAX_COUNT = COUNT_SPAN - 1;
/**
 * Starts are kept in at most this many steps of a window, so that a packed counter stays below 2^30: a small integer
 * to V8 even with pointer compression, stored in the Map as it is.
 */
const START_STEPS = 2 ** 14;

interface Generation {
  readonly since: number;
  readonly counters: Map<string, number>;
}

class WindowCounters {
  /** The length of a start step: 1 ms for windows up to 16.4 s, 4 ms for a minute (a counter ends that much early at most). */
  private readonly stepMs: number;
  private current: Generation;
  private previous: Generation | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    time: number,
  ) {
    this.stepMs = Math.max(1, Math.ceil(windowMs / START_STEPS));
    this.current = { since: time, counters: new Map() };
  }

  hit(key: string, time: number): number {
    if (time - this.current.since >= this.windowMs) this.retire(time);
    const current = this.current.counters;
    const here = current.get(key);
    if (here !== undefined) return this.count(current, key, here);
    const before = this.previous?.counters.get(key);
    if (before !== undefined && time < this.endOf(this.previous!, before)) {
      return this.count(this.previous!.counters, key, before);
    }
    if (current.size >= this.maxKeys) this.retire(time);
    const start = Math.floor((time - this.current.since) / this.stepMs);
    this.current.counters.set(ownString(key), start * COUNT_SPAN + 1);
    return 1;
  }

  get size(): number {
    return this.current.counters.size + (this.previous?.counters.size ?? 0);
  }

  /** Lets go of generations whose counters have all ended; true when none is left. */
  sweep(time: number): boolean {
    if (time - this.current.since >= this.windowMs) this.retire(time);
    return this.size === 0;
  }

  private count(counters: Map<string, number>, key: string, packed: number): number {
    const count = packed % COUNT_SPAN;
    if (count === MAX_COUNT) return count;
    counters.set(key, packed + 1);
    return count + 1;
  }

  /** When a packed counter of a generation resets. */
  private endOf(generation: Generation, packed: number): number {
    return generation.since + Math.floor(packed / COUNT_SPAN) * this.stepMs + this.windowMs;
  }

  private retire(time: number): void {
    // After two windows without a counter started, the current generation's counters have ended too.
    this.previous = time - this.current.since >= 2 * this.windowMs ? undefined : this.current;
    this.current = { since: time, counters: new Map() };
  }
}

export class HitCounters {
  private readonly windows = new Map<number, WindowCounters>();

  constructor(
    private readonly now: () => number,
    private readonly maxKeys: number,
  ) {}

  /** Adds one to `key`'s counter of this window length (started at its first hit); the new count. */
  hit(key: string, windowMs: number): number {
    const time = this.now();
    let counters = this.windows.get(windowMs);
    if (!counters) {
      counters = new WindowCounters(Math.max(1, windowMs), Math.max(1, this.maxKeys), time);
      this.windows.set(windowMs, counters);
    }
    return counters.hit(key, time);
  }

  /** Counters kept, ended ones not yet let go included. */
  get size(): number {
    let size = 0;
    for (const counters of this.windows.values()) size += counters.size;
    return size;
  }

  sweep(): void {
    const time = this.now();
    for (const [windowMs, counters] of this.windows) if (counters.sweep(time)) this.windows.delete(windowMs);
  }

  clear(): void {
    this.windows.clear();
  }
}
