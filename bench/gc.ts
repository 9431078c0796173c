/**
 * What each request leaves to the garbage collector: the servers of bench/instructions-server.ts one at a time with
 * V8's --trace-gc-nvp, 4,000 requests to warm up, then 20,000 counted: bytes promoted out of the young generation per
 * request (what outlives a request and becomes old-generation work), and the collector's pauses per 1,000 requests.
 * Steady between runs (a few %), unlike req/s: the figure that shows what keeping something per message costs.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { CountedTarget } from './instructions-server.js';
import { markdownTable } from './table.js';
import { requests } from './throughput.js';

const SERVER = fileURLToPath(new URL('./instructions-server.ts', import.meta.url));

const LABELS: Record<CountedTarget, string> = {
  bare: 'bare node:http (baseline)',
  listener: 'wechat-gpt `gpt.listener`, keyword reply',
  served: 'the same with an onMessage (as serve runs it)',
  console: 'the same + dev console (no browser open)',
  job: 'wechat-gpt `gpt.listener`, full path (answer from a handler)',
  model: 'wechat-gpt `gpt.listener`, model path (instant model in the process)',
};

export interface GcRow {
  target: CountedTarget;
  promotedPerRequest: number;
  scavenges: number;
  fullCollections: number;
  pauseMsPer1000: number;
}

async function load(port: string, amount: number): Promise<void> {
  const next = requests('plain');
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/wechat`,
    connections: 50,
    amount,
    timeout: 30,
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    requests: [
      {
        setupRequest(request) {
          const signed = next();
          return { ...request, path: signed.path, body: signed.body };
        },
      },
    ],
  });
  if (result.errors || result.timeouts || result.non2xx) throw new Error('requests failed during the GC bench');
}

async function measure(target: CountedTarget, counted: number): Promise<GcRow> {
  const child = spawn(process.execPath, ['--trace-gc-nvp', '--import', 'tsx', SERVER, target], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  let counting = false;
  const row: GcRow = { target, promotedPerRequest: 0, scavenges: 0, fullCollections: 0, pauseMsPer1000: 0 };
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${target} server exited with ${code}`)));
    lines.on('line', (line) => {
      if (/^\d+$/.test(line)) resolve(line);
      if (!counting) return;
      const kind = /\bgc=(\w+)/.exec(line)?.[1];
      if (!kind) return;
      row.pauseMsPer1000 += Number(/\bpause=([\d.]+)/.exec(line)?.[1] ?? 0);
      if (kind === 's') {
        row.scavenges++;
        row.promotedPerRequest += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
      } else row.fullCollections++;
    });
  });
  await load(port, 4000);
  counting = true;
  await load(port, counted);
  counting = false;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end('quit\n');
  await exited;
  row.promotedPerRequest /= counted;
  row.pauseMsPer1000 = (row.pauseMsPer1000 / counted) * 1000;
  return row;
}

export async function benchGc({
  targets = ['bare', 'listener', 'served', 'console', 'job', 'model'],
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
      LABELS[row.target],
      Math.round(row.promotedPerRequest),
      row.scavenges,
      row.fullCollections,
      row.pauseMsPer1000.toFixed(1),
    ]),
  );
  return { rows, markdown };
}
