/**
 * Webhook throughput and latency on loopback: autocannon against the bare baseline and wechat-gpt (its listener and
 * its express app on fresh stores, and the listener on a store at its key bound), in plain and safe mode, all in the
 * same run, in interleaved rounds (machines are noisy: the ratio to the baseline is the number to trust). Each server
 * runs in a child process of its own; every request is a new user and MsgId, validly signed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Result } from 'autocannon';
import { decrypt, parseEncryptedReply, parseReplyXml } from '../src/wechat/index.js';
import { ACCOUNT, BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER } from './constants.js';
import { postSigned } from './post-signed.js';
import type { ServerPorts, Target } from './servers.js';
import { settleHeap } from './settle-heap.js';
import {
  type BenchMode,
  createRequestFactory,
  createTimedRequestPool,
  type RequestFactory,
  type SignedRequest,
} from './signed-requests.js';
import { fixed, markdownTable } from './table.js';

export interface ThroughputOptions {
  durationSec: number;
  /** Each target is measured this many times, interleaved; the median run is reported. */
  rounds: number;
  warmupSec: number;
  connections: number;
  /** Log level of wechat-gpt's logger (to /dev/null); undefined for none. */
  logLevel?: string;
  /** Only these servers (and the baseline); default all. */
  targets?: Target[];
}

export interface ThroughputRow {
  target: Target;
  mode: BenchMode;
  requestsPerSec: number;
  p50: number;
  p99: number;
  ratio: number;
  /** The server's main-thread CPU time per request (µs) in the median run, and the baseline's against it. */
  cpuUsPerRequest: number | undefined;
  cpuRatio: number | undefined;
  errors: number;
  non2xx: number;
}

/** One measured run: autocannon's result, and the main-thread CPU time the server's process spent on it. */
interface Run {
  result: Result;
  cpuUs: number | undefined;
}

const TARGETS: { target: Target; label: string }[] = [
  { target: 'bare', label: 'bare node:http (baseline)' },
  { target: 'listener', label: 'wechat-gpt `gpt.listener` (node:http)' },
  { target: 'job', label: 'wechat-gpt `gpt.listener`, full path (answer from a handler)' },
  { target: 'model', label: 'wechat-gpt `gpt.listener`, model path (instant model in the process)' },
  { target: 'express', label: 'wechat-gpt `gpt.app` (express)' },
  { target: 'full', label: 'wechat-gpt `gpt.listener`, store at its 200,000-key bound' },
  { target: 'served', label: 'wechat-gpt `gpt.listener` with an onMessage (as serve runs it)' },
  { target: 'console', label: 'the same + dev console (no browser open)' },
];

/** Enough signed requests made ahead for any rate this machine can reach; more are made on the fly. */
const POOL_PER_SECOND = 14_000;

export interface Servers {
  ports: ServerPorts;
  /** Replaces the wechat-gpt instances (and their stores) with new ones. */
  reset(): Promise<void>;
  /** The CPU time (µs) the servers' process has used so far, and its main thread's alone where Linux tells it. */
  cpu(): Promise<{ cpuUs: number; mainUs?: number }>;
  close(): Promise<void>;
}

/** The bench's servers in a child process: all of them, or only `only` (their ports alone are then valid). */
export async function startServers(logLevel: string | undefined, only?: Target[]): Promise<Servers> {
  const entry = fileURLToPath(new URL('./servers.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...(logLevel ? { BENCH_LOG: logLevel } : {}),
      ...(only ? { BENCH_TARGETS: only.join(',') } : {}),
    },
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench servers exited with ${code}`));
      child.once('exit', onExit);
      lines.once('line', (line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const ports = JSON.parse(await nextLine()) as ServerPorts;
  const cpu = async () => {
    const answered = nextLine();
    child.stdin!.write('cpu\n');
    return JSON.parse(await answered) as { cpuUs: number; mainUs?: number };
  };
  return {
    ports,
    async reset() {
      const answered = nextLine();
      child.stdin!.write('reset\n');
      await answered;
    },
    cpu,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

/** One request, checked like WeChat would read it: the keyword's answer, encrypted when the request was. */
export async function checkAnswer(url: string, request: SignedRequest, mode: BenchMode): Promise<void> {
  const response = await fetch(`${url}${request.path}`, { method: 'POST', body: request.body });
  const body = await response.text();
  const xml =
    mode === 'safe'
      ? decrypt({
          aesKey: BENCH_WECHAT.encodingAesKey,
          appId: BENCH_WECHAT.appId,
          encrypted: parseEncryptedReply(body).encrypt,
        })
      : body;
  const reply = parseReplyXml(xml);
  if (response.status !== 200 || reply.type !== 'text' || reply.content !== KEYWORD_ANSWER) {
    throw new Error(`${url} answered ${response.status} ${body.slice(0, 200)}`);
  }
}

let runs = 0;

export function requests(mode: BenchMode): RequestFactory {
  return createRequestFactory({
    mode,
    path: '/wechat',
    ...BENCH_WECHAT,
    account: ACCOUNT,
    content: KEYWORD,
    prefix: String(++runs),
  });
}

async function load(url: string, mode: BenchMode, durationSec: number, connections: number): Promise<Result> {
  const next = createTimedRequestPool(requests(mode), POOL_PER_SECOND, Math.ceil(durationSec));
  settleHeap();
  return await postSigned(url, next, { connections, duration: durationSec });
}

/**
 * One measured run of one target: a checked answer, a warm-up, the load, and a checked answer again. The server's
 * main-thread CPU time over the load is its own cost, steadier than req/s (which the load generator and the kernel's
 * loopback work shape too): its process holds that server alone.
 */
async function measure(url: string, mode: BenchMode, options: ThroughputOptions, servers: Servers): Promise<Run> {
  const check = requests(mode);
  await checkAnswer(url, check(), mode);
  if (options.warmupSec > 0) await load(url, mode, options.warmupSec, options.connections);
  const before = await servers.cpu();
  const result = await load(url, mode, options.durationSec, options.connections);
  const after = await servers.cpu();
  await checkAnswer(url, check(), mode);
  const cpuUs =
    before.mainUs === undefined || after.mainUs === undefined || result.requests.total === 0
      ? undefined
      : (after.mainUs - before.mainUs) / result.requests.total;
  return { result, cpuUs };
}

/** The run with the median req/s (its latencies come with it). */
function medianRun(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.result.requests.average - b.result.requests.average);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The median CPU time per request of the runs (undefined where Linux does not tell a thread's time). */
function medianCpu(runs: Run[]): number | undefined {
  const known = runs.map((run) => run.cpuUs).filter((us): us is number => us !== undefined);
  if (known.length === 0) return undefined;
  const sorted = known.sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function benchThroughput(
  options: ThroughputOptions,
): Promise<{ rows: ThroughputRow[]; markdown: string }> {
  const rows: ThroughputRow[] = [];
  const chosen = TARGETS.filter(
    ({ target }) => target === 'bare' || !options.targets || options.targets.includes(target),
  );
  // A process of its own for each server, the baseline's too: in one process the servers' heaps, garbage and timers
  // weighed on each other's runs (the baseline measured up to a third slower there than alone).
  const processes = new Map<Target, Servers>();
  for (const { target } of chosen) processes.set(target, await startServers(options.logLevel, [target]));
  try {
    for (const mode of ['plain', 'safe'] as const) {
      // Rounds of every target in turn, so drift on a noisy machine hits all alike.
      const results = new Map<Target, Run[]>(chosen.map(({ target }) => [target, []]));
      for (let round = 0; round < options.rounds; round++) {
        for (const { target } of chosen) {
          // Each run starts from new instances: a fresh store stays fresh, a full one full.
          const servers = processes.get(target)!;
          if (target !== 'bare') await servers.reset();
          results.get(target)!.push(await measure(`http://127.0.0.1:${servers.ports[target]}`, mode, options, servers));
        }
      }
      const bare = medianRun(results.get('bare')!).result.requests.average;
      const bareCpu = medianCpu(results.get('bare')!);
      for (const { target } of chosen) {
        const all = results.get(target)!;
        const median = medianRun(all).result;
        const cpu = medianCpu(all);
        rows.push({
          target,
          mode,
          requestsPerSec: median.requests.average,
          p50: median.latency.p50,
          p99: median.latency.p99,
          ratio: median.requests.average / bare,
          cpuUsPerRequest: cpu,
          cpuRatio: cpu === undefined || bareCpu === undefined ? undefined : bareCpu / cpu,
          errors: all.reduce((sum, { result }) => sum + result.errors + result.timeouts, 0),
          non2xx: all.reduce((sum, { result }) => sum + result.non2xx, 0),
        });
      }
    }
  } finally {
    await Promise.all([...processes.values()].map((servers) => servers.close()));
  }
  const label = (target: Target) => TARGETS.find((t) => t.target === target)!.label;
  const markdown = markdownTable(
    [
      'mode',
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'vs baseline',
      'CPU µs/request',
      'CPU vs baseline',
      'errors',
      'non-2xx',
    ],
    rows.map((row) => [
      row.mode,
      label(row.target),
      Math.round(row.requestsPerSec),
      row.p50,
      row.p99,
      `${fixed(row.ratio, 2)}×`,
      row.cpuUsPerRequest === undefined ? '—' : fixed(row.cpuUsPerRequest, 1),
      row.cpuRatio === undefined ? '—' : `${fixed(row.cpuRatio, 2)}×`,
      row.errors,
      row.non2xx,
    ]),
  );
  return { rows, markdown };
}
