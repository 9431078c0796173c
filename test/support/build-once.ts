/**
 * Builds dist/ when it is older than the sources, once per test run however many workers ask: only the tests that
 * spawn the real CLI import this (through spawn-cli.ts), so a unit test file never waits for a build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Outside dist/, which is published.
const CACHE = join(ROOT, 'node_modules', '.cache', 'wechat-gpt-tests');
const STAMP = join(CACHE, 'dist-built');
const LOCK = join(CACHE, 'dist-building');
/** A lock older than this belongs to a run that died; take it over. */
const STALE_LOCK_MS = 120_000;

function newestSourceMs(): number {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => join(ROOT, 'src', f));
  files.push(join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json'), join(ROOT, 'package.json'));
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

function builtMs(): number {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return 0;
  }
}

const isFresh = () => builtMs() >= newestSourceMs();

function tryLock(): boolean {
  mkdirSync(CACHE, { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {}
    return false;
  }
}

export async function ensureBuilt(): Promise<void> {
  while (!isFresh()) {
    if (!tryLock()) {
      await sleep(100);
      continue;
    }
    try {
      if (isFresh()) return;
      const started = Date.now();
      try {
        execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
          cwd: ROOT,
          stdio: 'inherit',
        });
      } catch {
        // tsc still emits on type errors; typecheck reports them. The CLI tests run what was built.
        console.error('build-once: the build reported type errors (see above); dist/ was still written.');
      }
      // Dated at the start: a source saved during the build makes the next run build again.
      writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
      utimesSync(STAMP, new Date(started), new Date(started));
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
