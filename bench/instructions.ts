/**
 * Instructions per webhook request, counted by valgrind (cachegrind): the same server run twice, for N1 and N2
 * requests, and the difference divided by N2 − N1, so start-up, the warm-up and most of V8's compiling cancel out.
 * The count still moves between runs (up to about 15 %: how many requests arrive per turn of the event loop, and which
 * full collections fall inside the window), less than req/s on a shared VM, and it counts work, not time (cache misses
 * do not show). Its use is the breakdown: with BENCH_CACHEGRIND_DIR set the output files are kept there, and cg_diff of
 * a server's two files gives the per-request work by V8 builtin and collector phase. Opt-in
 * (`npm run bench -- --only instructions`, about 10 minutes): it needs valgrind; each server runs 50× slower under it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTED_LABELS, type CountedTarget, loadCounted, withCountedServer } from './counted-servers.js';
import { markdownTable } from './table.js';

/** The instructions one process ran: cachegrind's summary line. */
function totalInstructions(file: string): number {
  const summary = /^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!summary) throw new Error(`No summary in ${file}`);
  return Number(summary[1]);
}

async function countRun(target: CountedTarget, amount: number, dir: string): Promise<number> {
  const file = join(dir, `${target}-${amount}.out`);
  const prefix = ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${file}`];
  await withCountedServer(target, { command: 'valgrind', prefix, nodeFlags: ['--single-threaded'] }, (port) =>
    loadCounted(port, amount, 120),
  );
  return totalInstructions(file);
}

export interface InstructionRow {
  target: CountedTarget;
  perRequest: number;
  ratio: number;
}

export async function benchInstructions({
  targets = ['bare', 'listener', 'served', 'console', 'job', 'model'],
  from = 6000,
  to = 14_000,
}: {
  targets?: CountedTarget[];
  from?: number;
  to?: number;
} = {}): Promise<{
  rows: InstructionRow[];
  markdown: string;
}> {
  const kept = process.env.BENCH_CACHEGRIND_DIR;
  if (kept) mkdirSync(kept, { recursive: true });
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'wechat-gpt-instructions-'));
  try {
    const perRequest = new Map<CountedTarget, number>();
    // Two at a time: valgrind runs one thread, the machine has two cores (the load generator is mostly idle).
    for (let i = 0; i < targets.length; i += 2) {
      await Promise.all(
        targets.slice(i, i + 2).map(async (target) => {
          const fewer = await countRun(target, from, dir);
          const more = await countRun(target, to, dir);
          perRequest.set(target, (more - fewer) / (to - from));
        }),
      );
    }
    const bare = perRequest.get('bare');
    const rows = targets.map((target) => {
      const count = perRequest.get(target)!;
      return { target, perRequest: count, ratio: bare ? bare / count : Number.NaN };
    });
    const markdown = markdownTable(
      ['server', 'instructions/request', 'vs baseline'],
      rows.map((row) => [
        COUNTED_LABELS[row.target],
        Math.round(row.perRequest).toLocaleString('en-US'),
        `${row.ratio.toFixed(2)}×`,
      ]),
    );
    return { rows, markdown };
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}
