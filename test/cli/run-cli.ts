/**
 * Runs the CLI in a temp folder with a clean environment, in this process: the CLI's own `run` with captured streams,
 * the same code as the binary without a Node start-up per call and without dist/. What only a real process shows
 * (signals, the exit, serve) runs the built binary: spawn-cli.ts.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { run } from '../../src/cli/index.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how the CLI runs: its folder, environment, time limit, and what its stdin reads (ended at once without). */
export interface CliRunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
}

/** The CLI's own `run`, in this process: output captured, stdin from `input` (or ended at once). */
export async function runCli(
  args: string[],
  { cwd, env = {}, timeoutMs = 10_000, input }: CliRunOptions,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const exitCodeBefore = process.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`wechat-gpt ${args.join(' ')} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([
      run(['node', 'wechat-gpt', ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
        stdout: sink((text) => {
          stdout += text;
        }),
        stderr: sink((text) => {
          stderr += text;
        }),
        stdin: Readable.from(input === undefined || input === '' ? [] : [input]),
        forceExitAfterMs: false,
      }),
      timeout,
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    // `run` sets the exit code of the process it runs in, as the binary needs; not this test worker's.
    process.exitCode = exitCodeBefore;
  }
}

export function tempDir(): { path: string; remove: () => void } {
  const path = realpathSync(mkdtempSync(join(tmpdir(), 'wechat-gpt-cli-')));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An ANSI escape sequence (built from a string: a literal control character in a regex trips the linter). */
export const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
