/** The built binary (bin/wechat-gpt.js → dist/) as a child process, in a temp folder with a clean environment. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../support/build-once.js';
import type { CliRun, CliRunOptions } from './run-cli.js';

// The tests that spawn the CLI run what dist/ holds: built here when the sources are newer, once per run.
await ensureBuilt();

export const BIN = fileURLToPath(new URL('../../bin/wechat-gpt.js', import.meta.url));

/** The built binary as a child process, to its end. */
export async function spawnCli(
  args: string[],
  { cwd, env = {}, timeoutMs = 10_000, input }: CliRunOptions,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // Only PATH (git) and a private HOME (no global git excludes), so nothing from this machine leaks in.
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // No input: stdin ends at once, as `< /dev/null` would.
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wechat-gpt ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A CLI process that keeps running (serve): its output so far, waiting for a line, signals, and its end. */
export interface RunningCli {
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout line that matches (already printed or still to come). */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when stderr contains `text`. */
  waitForStderr(text: string, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
  /** The exit; rejects if the process does not end within timeoutMs (then it is killed). */
  exited(timeoutMs?: number): Promise<CliRun>;
}

export function startCli(args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string> }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    notify();
  });
  const closed = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      notify();
      resolve({ code, stdout, stderr });
    });
  });
  let ended = false;
  void closed.then(() => {
    ended = true;
    notify();
  });

  function waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (ended) {
          done();
          reject(new Error(`wechat-gpt ${args.join(' ')} ended before ${what}.\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(attempt);
      };
      listeners.add(attempt);
      attempt();
    });
  }

  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitForLine(match, timeoutMs = 10_000) {
      return waitFor(() => stdout.split('\n').slice(0, -1).find(match), 'matching stdout line', timeoutMs);
    },
    waitForStderr(text, timeoutMs = 10_000) {
      return waitFor(() => (stderr.includes(text) ? true : undefined), `"${text}" on stderr`, timeoutMs).then(() => {});
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async exited(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`wechat-gpt ${args.join(' ')} did not exit within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([closed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
