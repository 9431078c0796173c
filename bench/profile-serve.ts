/**
 * Where `serve`'s time goes: the built CLI under load with V8's CPU profiler (--cpu-prof), its top functions by self
 * time as a markdown table. `npm run bench -- --only profile` (the subscribe event), or
 * `node --import tsx bench/profile-serve.ts subscribe|keyword|model`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from './serve-process.js';
import { loadAt, type Workload } from './serve-throughput.js';
import { markdownTable } from './table.js';
import { startServers } from './throughput.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function (name and file), as shares of the busy samples. */
function topEntries(profile: { nodes: ProfileNode[] }, count: number): Array<[string, number]> {
  const totals = new Map<string, number>();
  let all = 0;
  for (const node of profile.nodes) {
    // Waiting for the load generator (a shared machine) is not the server's cost.
    if (node.callFrame.functionName === '(idle)') continue;
    const hits = node.hitCount ?? 0;
    all += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, '')
      .replace(/^.*\/dist\//, 'dist/');
    const name = `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + hits);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => [name, hits / Math.max(1, all)]);
}

export async function profileServe({
  workload = 'subscribe',
  durationSec = 5,
  connections = 50,
  top = 15,
}: {
  workload?: Workload;
  durationSec?: number;
  connections?: number;
  top?: number;
} = {}): Promise<{ markdown: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wechat-gpt-prof-'));
  const servers = await startServers(undefined);
  try {
    const serve = await startServe({
      modelUrl: servers.ports.modelUrl,
      extraArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    try {
      await loadAt(new URL(serve.url).origin, workload, { durationSec, connections });
    } finally {
      await serve.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('serve wrote no CPU profile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    const rows = topEntries(profile, top).map(([name, share]) => [`\`${name}\``, `${(share * 100).toFixed(1)}%`]);
    return { markdown: markdownTable(['function (self time)', 'share of busy samples'], rows) };
  } finally {
    await servers.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workload = (process.argv[2] ?? 'subscribe') as Workload;
  console.log((await profileServe({ workload })).markdown);
}
