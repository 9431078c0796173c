/**
 * Memory of `serve` under sustained load: a fixed rate of new users for a while, the serve process's RSS sampled as it
 * goes. What each new user leaves behind expires: the per-minute rate counter after 60 s (every message), the job
 * record after timing.jobTtlMs (10 minutes; the model path only: deterministic answers keep none) and the conversation
 * after session.idleMs (30 minutes; the model path only). So RSS levels off once the longest of them expires: here
 * with the job and session lifetimes cut to `retainMs` so the plateau shows within the run, and what the retained
 * records cost per message/s, for extrapolating to the defaults.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServe } from './serve-process.js';
import { loadAt, type Workload } from './serve-throughput.js';
import { fixed, markdownTable } from './table.js';
import { startServers } from './throughput.js';

const rssMb = (pid: number) => {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
};

export interface LoadMemoryOptions {
  rate: number;
  durationSec: number;
  /** timing.jobTtlMs and session.idleMs for the run. */
  retainMs: number;
  sampleEverySec: number;
}

export async function benchLoadMemory({
  rate = 150,
  durationSec = 90,
  retainMs = 20_000,
  sampleEverySec = 10,
}: Partial<LoadMemoryOptions> = {}): Promise<{ markdown: string; summary: string }> {
  const servers = await startServers(undefined);
  const series: Array<{ workload: Workload; samples: number[]; before: number }> = [];
  try {
    for (const workload of ['keyword', 'model'] as const) {
      const serve = await startServe({
        modelUrl: servers.ports.modelUrl,
        timing: { jobTtlMs: retainMs },
        session: { idleMs: retainMs },
      });
      try {
        await sleep(500);
        const before = rssMb(serve.pid);
        const samples: number[] = [];
        const load = loadAt(new URL(serve.url).origin, workload, { durationSec, connections: 10, overallRate: rate });
        for (let t = sampleEverySec; t <= durationSec; t += sampleEverySec) {
          await sleep(sampleEverySec * 1000);
          samples.push(rssMb(serve.pid));
        }
        await load;
        series.push({ workload, samples, before });
      } finally {
        await serve.stop();
      }
    }
  } finally {
    await servers.close();
  }
  const times = series[0]!.samples.map((_, i) => `${(i + 1) * sampleEverySec} s`);
  const markdown = markdownTable(
    ['message', 'RSS before (MB)', ...times],
    series.map(({ workload, samples, before }) => [
      workload === 'keyword'
        ? 'keyword reply (no job, no session)'
        : `question for the model (job and session kept ${retainMs / 1000} s)`,
      fixed(before),
      ...samples.map((mb) => fixed(mb)),
    ]),
  );
  const model = series.find((s) => s.workload === 'model')!;
  const keyword = series.find((s) => s.workload === 'keyword')!;
  // The plateau: the mean of the samples past 60 s (the rate counters' life, the longest in this run).
  const settled = (s: { samples: number[] }) => {
    const late = s.samples.filter((_, i) => (i + 1) * sampleEverySec > 60);
    const used = late.length > 0 ? late : s.samples.slice(-1);
    return used.reduce((a, b) => a + b, 0) / used.length;
  };
  const perRate = (s: { samples: number[]; before: number }) => fixed((settled(s) - s.before) / rate, 2);
  const summary =
    `At ${rate} new users/s, RSS levels off at ${fixed(settled(keyword))} MB for keyword replies ` +
    `(${fixed(keyword.before)} MB idle: ${perRate(keyword)} MB per message/s) and at ${fixed(settled(model))} MB for ` +
    `the model path with its records kept ${retainMs / 1000} s (${fixed(model.before)} MB idle: ${perRate(model)} MB ` +
    `per message/s). With the default lifetimes the model path's plateau comes after 30 minutes, higher by what the ` +
    `records held longer cost (about 630 bytes of heap per entry, see "Memory store"), and never above the memory ` +
    `store's 200,000-entry bound.`;
  return { markdown, summary };
}
