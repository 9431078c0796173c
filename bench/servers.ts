/**
 * The servers under load, in a process of their own (the load generator gets the other core), each on a port of
 * 127.0.0.1: the bare baseline; wechat-gpt's node:http listener and its express app, on fresh stores; the listener
 * on a store already at its key bound (the steady state of a busy server, where every write evicts); and the listener
 * with the dev console wired as `serve` wires it, no browser open (its observer records every attempt). Prints the ports
 * as one JSON line; each `reset` line on stdin replaces the wechat-gpt instances with new ones and answers
 * `{"reset":true}`; each `cpu` line answers the process's CPU time so far; runs until stdin closes. `BENCH_LOG=info` logs every message (to /dev/null).
 */
import { openSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { DevConsole } from '../src/console/index.js';
import type { WechatGpt } from '../src/index.js';
import { benchBareWebhook } from './bare-webhook.js';
import { BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER } from './constants.js';
import { instantLlm, startInstantModel } from './instant-model.js';

// The built library (dist/, `npm run build` first), as users run it: tsx's transform of src/ names every closure it
// creates, which costs the engine's per-request closures about a third more time than the compiled code.
const { defaultTexts } = (await import('../dist/config.js')) as typeof import('../src/config.js');
const { createDevConsole } = (await import('../dist/console/index.js')) as typeof import('../src/console/index.js');
const { createLogger, createMemoryStore, createWechatGpt } = (await import(
  '../dist/index.js'
)) as typeof import('../src/index.js');
const { silentLogger } = (await import('../dist/logger.js')) as typeof import('../src/logger.js');

export type Target = 'bare' | 'listener' | 'job' | 'model' | 'express' | 'full' | 'served' | 'console';

/** The servers' ports, their process, and the instant model (for `serve` runs of the model path). */
export type ServerPorts = Record<Target, number> & { pid: number; modelUrl: string };

/** The memory store's default bound. */
const MAX_KEYS = 200_000;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * The main thread's CPU time (µs; Linux, 10 ms ticks): the JavaScript's own, without V8's helper threads (concurrent
 * marking, parallel scavenges), which process.cpuUsage() adds in and which run beside it on the other core.
 */
function mainThreadUs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const level = process.env.BENCH_LOG;
  const logger = level ? createLogger({ level, destination: openSync('/dev/null', 'w') }) : silentLogger;
  let devConsole: DevConsole | undefined;
  // serve always hands the bot an onMessage (its line per message; a no-op with --quiet), so the bot builds a record
  // per message there: 'served' and 'console' both run that way, so that they differ by the console only.
  const serveLine = () => {};
  const create = (full: boolean, viaHandler = false, withConsole?: DevConsole, served = false): WechatGpt => {
    const store = createMemoryStore({ maxKeys: MAX_KEYS });
    if (full) for (let i = 0; i < MAX_KEYS; i++) void store.setValue(`fill:${i}`, 'x', 3600_000);
    const gpt = createWechatGpt(
      {
        wechat: { ...BENCH_WECHAT },
        keywords: [{ match: 'exact', pattern: KEYWORD, reply: { type: 'text', content: KEYWORD_ANSWER } }],
        store,
        logger,
      },
      withConsole
        ? {
            observer: withConsole.observer,
            wrapLlm: withConsole.wrapLlm,
            onMessage: (record) => {
              serveLine();
              withConsole.onMessage(record);
            },
          }
        : served
          ? { onMessage: serveLine }
          : {},
    );
    // The same answer from a custom handler: handlers may do anything, so it takes the full path (claim, job, waiter)
    // that a message for the model takes, minus the model.
    if (viaHandler) {
      gpt.bot.use(({ text }) => (text === KEYWORD ? { type: 'text', content: KEYWORD_ANSWER } : undefined));
    }
    return gpt;
  };
  // The question goes to the model (no keyword rule), which answers in this process at once with the keyword's text;
  // no onMessage, like `serve --quiet` and the listener and full-path rows.
  const withInstantModel = (): WechatGpt =>
    createWechatGpt(
      {
        wechat: { ...BENCH_WECHAT },
        llm: { apiKey: 'sk-bench' },
        // Above the 50 connections: every question is the model's to answer (none gets the busy text).
        limits: { maxConcurrentLlmCalls: 64 },
        store: createMemoryStore({ maxKeys: MAX_KEYS }),
        logger,
      },
      { wrapLlm: instantLlm(KEYWORD_ANSWER) },
    );
  // BENCH_TARGETS: build only these (the throughput section runs each server in a process of its own, so that no
  // server's heap, garbage or timers weigh on another's runs, the baseline's included).
  const only = process.env.BENCH_TARGETS?.split(',');
  const wanted = (target: Target) => !only || only.includes(target);
  const builders: Record<Exclude<Target, 'bare'>, () => WechatGpt> = {
    listener: () => create(false),
    job: () => create(false, true),
    model: withInstantModel,
    express: () => create(false),
    full: () => create(true),
    served: () => create(false, false, undefined, true),
    console: () => {
      devConsole = createDevConsole(
        process.env.BENCH_HISTORY ? { historySize: Number(process.env.BENCH_HISTORY) } : {},
      );
      return create(false, false, devConsole, true);
    },
  };
  const fresh = (): Partial<Record<Exclude<Target, 'bare'>, WechatGpt>> =>
    Object.fromEntries(
      (Object.keys(builders) as Exclude<Target, 'bare'>[]).filter(wanted).map((target) => [target, builders[target]()]),
    );
  let current = fresh();

  const bare = benchBareWebhook(defaultTexts.welcome);
  const model = await startInstantModel();
  const handlers: Record<Target, (req: IncomingMessage, res: ServerResponse) => void> = {
    bare: (req, res) => void bare(req, res),
    listener: (req, res) => current.listener?.listener(req, res),
    job: (req, res) => current.job?.listener(req, res),
    model: (req, res) => current.model?.listener(req, res),
    express: (req, res) => current.express?.app(req, res),
    full: (req, res) => current.full?.listener(req, res),
    served: (req, res) => current.served?.listener(req, res),
    // As serve does: the console sees the request first and passes on everything outside /_console.
    console: (req, res) => {
      if (!devConsole?.handle(req, res)) current.console?.listener(req, res);
    },
  };
  const targets = (Object.keys(handlers) as Target[]).filter(wanted);
  const servers = targets.map((target) => createServer(handlers[target]));
  const ports = Object.fromEntries(
    await Promise.all(targets.map(async (target, i) => [target, await listen(servers[i]!)] as const)),
  ) as Record<Target, number>;
  const attach = () => {
    if (current.console) devConsole?.attach({ gpt: current.console, port: ports.console, host: '127.0.0.1' });
  };
  attach();
  process.stdout.write(`${JSON.stringify({ ...ports, pid: process.pid, modelUrl: model.url })}\n`);

  const closeAll = async () => {
    await Promise.all(
      Object.values(current).map(async (gpt) => {
        await gpt.close({ drainMs: 1000 });
        await gpt.store.close();
      }),
    );
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    // The CPU time this process has used so far (µs): per-request cost that a loaded machine does not blur.
    if (line.trim() === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuUs: user + system, mainUs: mainThreadUs() })}\n`);
      return;
    }
    if (line.trim() !== 'reset') return;
    await closeAll();
    current = fresh();
    attach();
    process.stdout.write(`${JSON.stringify({ reset: true })}\n`);
  });
  lines.on('close', async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    model.server.closeAllConnections();
    model.server.close();
    await closeAll();
  });
}

await main();
