/**
 * The servers the GC and instruction sections measure one at a time (bench/instructions-server.ts, run in a process of
 * its own, under a tool: V8's GC trace, valgrind), their labels, and the run that starts one, loads it and stops it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { postSigned } from './post-signed.js';
import { startServe } from './serve-process.js';
import { requests } from './throughput.js';

export type CountedTarget = 'bare' | 'listener' | 'served' | 'console' | 'serve' | 'job' | 'model';

export const COUNTED_LABELS: Record<CountedTarget, string> = {
  bare: 'bare node:http (baseline)',
  listener: 'wechat-gpt `gpt.listener`, keyword reply',
  served: 'the same with an onMessage (as serve runs it)',
  console: 'the same + dev console (no browser open)',
  serve: '`wechat-gpt serve --quiet` (the built CLI: the same, as users run it)',
  job: 'wechat-gpt `gpt.listener`, full path (answer from a handler)',
  model: 'wechat-gpt `gpt.listener`, model path (instant model in the process)',
};

const SERVER = fileURLToPath(new URL('./instructions-server.ts', import.meta.url));

/**
 * Starts the target's server through `command` (its arguments before the node flags and script are `prefix`, the node
 * flags `nodeFlags`), hands every other line it prints to `onLine`, runs `load` against its port, then stops it.
 */
export async function withCountedServer(
  target: CountedTarget,
  {
    command = process.execPath,
    prefix = [],
    nodeFlags = [],
    onLine,
  }: { command?: string; prefix?: string[]; nodeFlags?: string[]; onLine?: (line: string) => void },
  load: (port: string) => Promise<void>,
): Promise<void> {
  if (target === 'serve') {
    // The CLI itself, its model unused by keyword replies. Not under a tool (valgrind): the GC section only.
    if (command !== process.execPath || prefix.length > 0) throw new Error('The serve target runs without a tool.');
    const serve = await startServe({
      modelUrl: 'http://127.0.0.1:9/v1',
      extraArgs: nodeFlags,
      ...(onLine ? { onLine } : {}),
    });
    try {
      await load(new URL(serve.url).port);
    } finally {
      await serve.stop();
    }
    return;
  }
  const node = command === process.execPath ? [] : [process.execPath];
  const child = spawn(command, [...prefix, ...node, ...nodeFlags, '--import', 'tsx', SERVER, target], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${target} server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/^\d+$/.test(line)) resolve(line);
      else onLine?.(line);
    });
  });
  await load(port);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end('quit\n');
  await exited;
}

/** `amount` requests (new users, plain mode) at 50 connections; any error, timeout or non-2xx fails the bench. */
export async function loadCounted(port: string, amount: number, timeout = 30): Promise<void> {
  const result = await postSigned(`http://127.0.0.1:${port}/wechat`, requests('plain'), {
    connections: 50,
    amount,
    timeout,
  });
  if (result.errors || result.timeouts || result.non2xx) {
    throw new Error(`${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
}
