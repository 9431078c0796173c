/** The memory store's footprint for 100,000 users' sessions, and its bound holding; measured in a fresh process. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemoryRun } from './memory-child.js';
import { fixed, markdownTable } from './table.js';

const MB = 1024 * 1024;

export async function benchMemory({
  users = 100_000,
  bound = 50_000,
}: {
  users?: number;
  bound?: number;
} = {}): Promise<{ runs: MemoryRun[]; markdown: string }> {
  const entry = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
  // Each store in a fresh process: RSS a process once held is not given back, so runs would skew each other.
  const measure = (maxKeys: number) => {
    const output = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', entry, String(users), String(maxKeys)],
      {
        encoding: 'utf8',
      },
    );
    return JSON.parse(output.trim().split('\n').at(-1)!) as MemoryRun;
  };
  const runs = [measure(users * 2), measure(bound)];
  const markdown = markdownTable(
    [
      'store',
      'sessions written',
      'entries held',
      'bound holds',
      'heap before → after (MB)',
      'RSS before → after (MB)',
      'heap bytes/entry',
      'RSS bytes/entry',
      'one key read 20,000 times (µs/read)',
    ],
    runs.map((run) => {
      const heap = run.after.heapUsed - run.before.heapUsed;
      return [
        `memory, maxKeys ${run.maxKeys.toLocaleString('en')}`,
        run.users.toLocaleString('en'),
        run.size.toLocaleString('en'),
        run.size <= run.maxKeys ? 'yes' : `NO (${run.size} > ${run.maxKeys})`,
        `${fixed(run.before.heapUsed / MB)} → ${fixed(run.after.heapUsed / MB)}`,
        `${fixed(run.before.rss / MB)} → ${fixed(run.after.rss / MB)}`,
        Math.round(heap / Math.max(1, run.size)),
        Math.round((run.after.rss - run.before.rss) / Math.max(1, run.size)),
        fixed(run.hotKeyUs, 2),
      ];
    }),
  );
  return { runs, markdown };
}
