/**
 * Webhook throughput and latency on loopback: autocannon against the bare baseline and wechat-gpt (its listener and
 * its express app on fresh stores, and the listener on a store at its key bound), in plain and safe mode, all in the
 * same run, in rounds of one-second slices alternating with the baseline's (machines are noisy: the ratio to the
 * baseline a second apart is the number to trust). Each server runs in a child process of its own; every request is a
 * new user and MsgId, validly signed.
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
  /** One-second slices of each server per round. */
  durationSec: number;
  /**
   * Rounds of every server in turn, each against the baseline in alternating one-second slices; the median round's
   * ratio is reported.
   */
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
  /** The median round's ratio of requests answered to the baseline's (slices of the two alternating). */
  ratio: number;
  /** Each round's ratio (the baseline's row: none). */
  roundRatios: number[];
  /** The server's main-thread CPU time per request (µs), the median round's, and the baseline's against it. */
  cpuUsPerRequest: number | undefined;
  cpuRatio: number | undefined;
  errors: number;
  non2xx: number;
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

/** One second of load on one server, and the main-thread CPU time its process spent meanwhile (µs). */
interface Slice {
  result: Result;
  cpuUs: number | undefined;
}

/** One slice: the load, with the server's main-thread CPU time read before and after it. */
async function slice(url: string, mode: BenchMode, connections: number, servers: Servers): Promise<Slice> {
  const before = await servers.cpu();
  const result = await load(url, mode, 1, connections);
  const after = await servers.cpu();
  const cpuUs = before.mainUs === undefined || after.mainUs === undefined ? undefined : after.mainUs - before.mainUs;
  return { result, cpuUs };
}

/** One round of one server: its slices and the baseline's beside them, and what they say against each other. */
interface Round {
  bare: Slice[];
  server: Slice[];
  /** The server's requests over the baseline's, in the same total time. */
  ratio: number;
  /** Main-thread CPU µs per request (undefined where Linux does not tell a thread's time). */
  cpuUs: number | undefined;
  bareCpuUs: number | undefined;
}

const requestsOf = (slices: Slice[]) => slices.reduce((sum, { result }) => sum + result.requests.total, 0);

/** CPU µs per request over the slices. */
function cpuPerRequest(slices: Slice[]): number | undefined {
  if (slices.some(({ cpuUs }) => cpuUs === undefined)) return undefined;
  const requests = requestsOf(slices);
  return requests === 0 ? undefined : slices.reduce((sum, { cpuUs }) => sum + cpuUs!, 0) / requests;
}

/**
 * One round of one server against the baseline: a checked answer from both, a warm-up of the server (on new
 * instances), then one-second slices alternating between the baseline and the server (bare, server, bare, server…),
 * as many of each as the run has seconds, and a checked answer again. On this shared VM req/s moves by tens of % from
 * one minute to the next, and by as much between two 5 s runs; slices a second apart see the same machine, so the
 * round's ratio is the servers' and not the minute's. Each server's process holds that server alone, so its
 * main-thread CPU time over its slices is its own cost.
 */
async function round(
  bare: { url: string; servers: Servers },
  server: { url: string; servers: Servers },
  mode: BenchMode,
  options: ThroughputOptions,
): Promise<Round> {
  const check = requests(mode);
  for (const { url } of [bare, server]) await checkAnswer(url, check(), mode);
  if (options.warmupSec > 0) await load(server.url, mode, options.warmupSec, options.connections);
  const bareSlices: Slice[] = [];
  const serverSlices: Slice[] = [];
  for (let n = 0; n < Math.max(1, Math.round(options.durationSec)); n++) {
    bareSlices.push(await slice(bare.url, mode, options.connections, bare.servers));
    serverSlices.push(await slice(server.url, mode, options.connections, server.servers));
  }
  for (const { url } of [bare, server]) await checkAnswer(url, check(), mode);
  return {
    bare: bareSlices,
    server: serverSlices,
    ratio: requestsOf(serverSlices) / requestsOf(bareSlices),
    cpuUs: cpuPerRequest(serverSlices),
    bareCpuUs: cpuPerRequest(bareSlices),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** The median of the values Linux told (undefined when it told none). */
function medianKnown(values: (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : median(known);
}

/** The slice with the median req/s (its latencies come with it). */
function medianSlice(slices: Slice[]): Result {
  const middle = median(slices.map(({ result }) => result.requests.average));
  return slices.find(({ result }) => result.requests.average === middle)!.result;
}

function row(target: Target, mode: BenchMode, slices: Slice[], rounds: Round[] | undefined): ThroughputRow {
  const latencies = medianSlice(slices);
  return {
    target,
    mode,
    // The mean over every slice (of one second each).
    requestsPerSec: requestsOf(slices) / slices.length,
    p50: latencies.latency.p50,
    p99: latencies.latency.p99,
    ratio: rounds ? median(rounds.map((done) => done.ratio)) : 1,
    roundRatios: rounds?.map((done) => done.ratio) ?? [],
    cpuUsPerRequest: rounds ? medianKnown(rounds.map((done) => done.cpuUs)) : cpuPerRequest(slices),
    cpuRatio: rounds
      ? medianKnown(
          rounds.map((done) =>
            done.cpuUs === undefined || done.bareCpuUs === undefined ? undefined : done.bareCpuUs / done.cpuUs,
          ),
        )
      : 1,
    errors: slices.reduce((sum, { result }) => sum + result.errors + result.timeouts, 0),
    non2xx: slices.reduce((sum, { result }) => sum + result.non2xx, 0),
  };
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
  const at = (target: Target) => {
    const servers = processes.get(target)!;
    return { url: `http://127.0.0.1:${servers.ports[target]}`, servers };
  };
  try {
    for (const mode of ['plain', 'safe'] as const) {
      const bare = at('bare');
      if (options.warmupSec > 0) await load(bare.url, mode, options.warmupSec, options.connections);
      // Rounds of every server in turn, each server against the baseline in slices of its own.
      const results = new Map<Target, Round[]>();
      for (let n = 0; n < options.rounds; n++) {
        for (const { target } of chosen) {
          if (target === 'bare') continue;
          // Each round starts from new instances: a fresh store stays fresh, a full one full.
          await processes.get(target)!.reset();
          results.set(target, [...(results.get(target) ?? []), await round(bare, at(target), mode, options)]);
        }
      }
      const bareSlices = [...results.values()].flat().flatMap((done) => done.bare);
      rows.push(row('bare', mode, bareSlices, undefined));
      for (const [target, rounds] of results) {
        const slices = rounds.flatMap((done) => done.server);
        rows.push(row(target, mode, slices, rounds));
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
      'rounds',
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
      row.roundRatios.map((ratio) => fixed(ratio, 2)).join(' '),
      row.errors,
      row.non2xx,
    ]),
  );
  return { rows, markdown };
}
