/**
 * The newest `bound` values by key, in the order they came, kept without deleting from a Map. Values go into the
 * current generation; once it holds `bound`, it becomes the previous generation and a new one starts. A value of the
 * previous generation counts for as long as it is among the newest `bound` (each newer value pushes one out), and the
 * whole generation is let go at once when the current one fills.
 *
 * Why not one Map with a delete per new value: `serve` records every webhook request in the console's history, and a
 * long-lived Map churned that way (a delete and a set per request, a rehash every few hundred) made V8 promote
 * everything the history kept, about 1 kB per request, with twice the collector's pauses (measured with
 * --trace-gc-nvp; the same history kept in generations promotes almost nothing). Generations are new objects that die
 * young.
 */
interface Generation<V> {
  /** Each key's index in `values`. */
  readonly at: Map<string, number>;
  readonly values: V[];
}

const generation = <V>(): Generation<V> => ({ at: new Map(), values: [] });

export class NewestMap<V> {
  private current: Generation<V> = generation();
  private previous: Generation<V> = generation();

  constructor(private readonly bound: number) {
    if (!(bound >= 1)) throw new RangeError(`A NewestMap keeps at least one value (got ${bound}).`);
  }

  /** Adds a value under a key not among the newest (a key seen before and pushed out may come back). */
  add(key: string, value: V): void {
    if (this.current.values.length >= this.bound) {
      this.previous = this.current;
      this.current = generation();
    }
    this.current.at.set(key, this.current.values.length);
    this.current.values.push(value);
  }

  get(key: string): V | undefined {
    const here = this.current.at.get(key);
    if (here !== undefined) return this.current.values[here];
    const before = this.previous.at.get(key);
    return before !== undefined && before >= this.current.values.length ? this.previous.values[before] : undefined;
  }

  /** Oldest first. */
  values(): V[] {
    return [...this.previous.values.slice(this.current.values.length), ...this.current.values];
  }

  get size(): number {
    return Math.max(this.previous.values.length - this.current.values.length, 0) + this.current.values.length;
  }
}
