/**
 * Counters and histograms whose hot path is a plain number added to: a cell is looked up (nested Maps, nothing
 * allocated once it exists) and incremented; prom-client reads the cells only when /metrics is scraped. prom-client's
 * own inc/observe hash their labels on every call (0.2–0.8 µs each), too much for every store call and attempt.
 */
import { Counter, type Metric, type Registry } from 'prom-client';

export interface CounterCell {
  value: number;
}

export interface HistogramCell {
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface Named {
  registry: Registry;
  name: string;
  help: string;
}

/** A two-level cache: the cell of (a, b), made on first use. */
function cellsBy<T>(make: (a: string, b: string) => T): (a: string, b?: string) => T {
  const outer = new Map<string, Map<string, T>>();
  return (a, b = '') => {
    let inner = outer.get(a);
    if (!inner) {
      inner = new Map();
      outer.set(a, inner);
    }
    let cell = inner.get(b);
    if (!cell) {
      cell = make(a, b);
      inner.set(b, cell);
    }
    return cell;
  };
}

/** A counter with up to two labels; `cell(a, b).value += n` counts. */
export function counterCells({ registry, name, help, labelNames }: Named & { labelNames: readonly string[] }) {
  const all: Array<{ labels: Record<string, string>; cell: CounterCell }> = [];
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, cell } of all) this.inc(labels, cell.value);
    },
  });
  return cellsBy<CounterCell>((a, b) => {
    const cell: CounterCell = { value: 0 };
    const labels: Record<string, string> = {};
    const [first, second] = labelNames;
    if (first) labels[first] = a;
    if (second) labels[second] = b;
    all.push({ labels, cell });
    return cell;
  });
}

/** Adds one observation: no allocation. */
export function observe(cell: HistogramCell, buckets: readonly number[], value: number): void {
  let index = 0;
  while (index < buckets.length && value > (buckets[index] as number)) index++;
  cell.counts[index] = (cell.counts[index] ?? 0) + 1;
  cell.sum += value;
  cell.count += 1;
}

/** A histogram with at most one label, rendered by prom-client's registry like its own. */
export function histogramCells({
  registry,
  name,
  help,
  buckets,
  labelName,
}: Named & { buckets: readonly number[]; labelName?: string }) {
  const all: Array<{ labels: Record<string, string>; cell: HistogramCell }> = [];
  const values = () =>
    all.flatMap(({ labels, cell }) => {
      let cumulative = 0;
      const lines = buckets.map((le, index) => {
        cumulative += cell.counts[index] ?? 0;
        return { labels: { ...labels, le }, value: cumulative, metricName: `${name}_bucket` };
      });
      lines.push({
        labels: { ...labels, le: '+Inf' as unknown as number },
        value: cell.count,
        metricName: `${name}_bucket`,
      });
      return [
        ...lines,
        { labels, value: cell.sum, metricName: `${name}_sum` },
        { labels, value: cell.count, metricName: `${name}_count` },
      ];
    });
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: values() }),
    reset() {
      for (const { cell } of all) {
        cell.counts.fill(0);
        cell.sum = 0;
        cell.count = 0;
      }
    },
  };
  registry.registerMetric(metric as unknown as Metric);
  return cellsBy<HistogramCell>((label) => {
    const cell: HistogramCell = { counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 };
    all.push({ labels: labelName ? { [labelName]: label } : {}, cell });
    return cell;
  });
}
