/**
 * `wechat-gpt serve` as users run it: the built CLI (dist/, `npm run build` first) in a folder of its own with a
 * wechat-gpt.config.json holding the keyword rule, 明文模式, the instant model, logging at error and `--quiet`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER } from './constants.js';

/** The CLI to run: this checkout's, or another build's (BENCH_SERVE_BIN, to compare with an earlier commit). */
const BIN = process.env.BENCH_SERVE_BIN ?? fileURLToPath(new URL('../bin/wechat-gpt.js', import.meta.url));

export interface ServeProcess {
  /** The webhook URL (path included). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startServe({
  modelUrl,
  timing = {},
  session = {},
  extraArgs = [],
  onLine,
}: {
  modelUrl: string;
  timing?: Record<string, number>;
  session?: Record<string, number>;
  /** Node flags for the serve process (a CPU profile: --cpu-prof). */
  extraArgs?: string[];
  /** Every line serve prints on stdout but the ready line (V8's --trace-gc-nvp lines go there too). */
  onLine?: (line: string) => void;
}): Promise<ServeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wechat-gpt-bench-'));
  writeFileSync(
    join(dir, 'wechat-gpt.config.json'),
    JSON.stringify({
      keywords: [{ match: 'exact', pattern: KEYWORD, reply: { type: 'text', content: KEYWORD_ANSWER } }],
      // Above the 50 connections: every question is the model's to answer (none gets the busy text).
      limits: { maxConcurrentLlmCalls: 64 },
      ...(Object.keys(timing).length ? { timing } : {}),
      ...(Object.keys(session).length ? { session } : {}),
    }),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [...extraArgs, BIN, 'serve', '--port', '0', '--no-tunnel', '--json', '--quiet'],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        LOG_LEVEL: 'error',
        WECHAT_TOKEN: BENCH_WECHAT.token,
        OPENAI_API_KEY: 'sk-bench',
        OPENAI_BASE_URL: modelUrl,
        OPENAI_MODEL: 'bench',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      if (line.startsWith('{"event":"ready"')) resolve(JSON.parse(line) as { url: string });
      else onLine?.(line);
    });
  });
  return {
    url: ready.url,
    pid: child.pid!,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
