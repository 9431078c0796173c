/**
 * What each request leaves to the garbage collector: the servers of bench/instructions-server.ts one at a time with
 * V8's --trace-gc-nvp, 4,000 requests to warm up, then 20,000 counted: bytes promoted out of the young generation per
 * request (what outlives a request and becomes old-generation work), and the collector's pauses per 1,000 requests.
 * Steady between runs (a few %), unlike req/s: the figure that shows what keeping something per message costs.
 */
import { COUNTED_LABELS, type CountedTarget, loadCounted, withCountedServer } from './counted-servers.js';
import { markdownTable } from './table.js';

export interface GcRow {
  target: CountedTarget;
  promotedPerRequest: number;
  scavenges: number;
  fullCollections: number;
  pauseMsPer1000: number;
}

async function measure(target: CountedTarget, counted: number): Promise<GcRow> {
  const row: GcRow = { target, promotedPerRequest: 0, scavenges: 0, fullCollections: 0, pauseMsPer1000: 0 };
  let counting = false;
  const onLine = (line: string) => {
    const kind = counting ? /\bgc=(\w+)/.exec(line)?.[1] : undefined;
    if (!kind) return;
    row.pauseMsPer1000 += Number(/\bpause=([\d.]+)/.exec(line)?.[1] ?? 0);
    if (kind === 's') {
      row.scavenges++;
      row.promotedPerRequest += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else row.fullCollections++;
  };
  await withCountedServer(target, { nodeFlags: ['--trace-gc-nvp'], onLine }, async (port) => {
    await loadCounted(port, 4000);
    counting = true;
    await loadCounted(port, counted);
    counting = false;
  });
  row.promotedPerRequest /= counted;
  row.pauseMsPer1000 = (row.pauseMsPer1000 / counted) * 1000;
  return row;
}

export async function benchGc({
  targets = ['bare', 'listener', 'served', 'console', 'serve', 'job', 'model'],
  counted = 20_000,
}: {
  targets?: CountedTarget[];
  counted?: number;
} = {}): Promise<{ rows: GcRow[]; markdown: string }> {
  const rows: GcRow[] = [];
  for (const target of targets) rows.push(await measure(target, counted));
  const markdown = markdownTable(
    ['server', 'promoted bytes/request', 'scavenges', 'full collections', 'GC pause ms per 1,000 requests'],
    rows.map((row) => [
      COUNTED_LABELS[row.target],
      Math.round(row.promotedPerRequest),
      row.scavenges,
      row.fullCollections,
      row.pauseMsPer1000.toFixed(1),
    ]),
  );
  return { rows, markdown };
}
