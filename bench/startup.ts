/**
 * CLI start-up: `wechat-gpt --help` and `wechat-gpt serve` to its ready line, beside `node -e 0` (the floor any Node
 * CLI pays). Median of N runs of the built binary; builds dist/ first when it is missing or older than src/.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, median } from './table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'wechat-gpt.js');

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(ext)) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ when it is missing or older than the newest source file. Returns whether it built. */
export function ensureBuilt(): boolean {
  const dist = join(ROOT, 'dist');
  const stale =
    !existsSync(join(dist, 'cli', 'index.js')) ||
    newestMtime(join(ROOT, 'src'), '.ts') > statSync(join(dist, 'cli', 'index.js')).mtimeMs;
  if (stale) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  return stale;
}

interface Timed {
  ms: number;
  ok: boolean;
  detail?: string;
}

/** Runs a command to completion. */
function timeRun(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      resolve({ ms: performance.now() - started, ok: code === 0, ...(code === 0 ? {} : { detail: stderr.trim() }) });
    });
  });
}

/** Starts a server and times it to its first stdout line (serve --json prints `{"event":"ready",…}` first). */
function timeToReady(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (result: Timed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ms: timeoutMs, ok: false, detail: 'no ready line' }), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) {
        const ready = line.includes('"ready"');
        finish({ ms: performance.now() - started, ok: ready, ...(ready ? {} : { detail: line.slice(0, 120) }) });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', () =>
      finish({ ms: performance.now() - started, ok: false, detail: stderr.trim().split('\n')[0] }),
    );
  });
}

async function repeat(runs: number, once: () => Promise<Timed>): Promise<{ medianMs: number; failure?: string }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await once();
    if (!result.ok) return { medianMs: Number.NaN, failure: result.detail ?? 'failed' };
    times.push(result.ms);
  }
  return { medianMs: median(times) };
}

export interface StartupRow {
  command: string;
  medianMs: number;
  failure?: string;
}

export async function benchStartup({ runs }: { runs: number }): Promise<{ rows: StartupRow[]; markdown: string }> {
  const built = ensureBuilt();
  const cwd = mkdtempSync(join(tmpdir(), 'wechat-gpt-bench-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
  try {
    const serveHelp = execFileSync(process.execPath, [BIN, 'serve', '--help'], { cwd, env, encoding: 'utf8' });
    const noTunnel = serveHelp.includes('--no-tunnel') ? ['--no-tunnel'] : ['--tunnel', 'none'];
    const serveArgs = ['serve', ...noTunnel, '--port', '0', '--json'];
    const rows: StartupRow[] = [
      { command: 'node -e 0', ...(await repeat(runs, () => timeRun(['-e', '0'], cwd, env))) },
      { command: 'wechat-gpt --help', ...(await repeat(runs, () => timeRun([BIN, '--help'], cwd, env))) },
      {
        command: `wechat-gpt ${serveArgs.join(' ')} (to the ready line)`,
        ...(await repeat(runs, () => timeToReady([BIN, ...serveArgs], cwd, env))),
      },
    ];
    const floor = rows[0]!.medianMs;
    const markdown = markdownTable(
      ['command', `median of ${runs} (ms)`, 'vs node -e 0'],
      rows.map((row) => [
        row.command,
        row.failure ? `n/a: ${row.failure}` : Math.round(row.medianMs),
        row.failure ? '' : `${(row.medianMs / floor).toFixed(1)}×`,
      ]),
    );
    return {
      rows,
      markdown: built ? `${markdown}\n\n(dist/ was rebuilt first: it was missing or older than src/.)` : markdown,
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
