/**
 * Throughput through `wechat-gpt serve` itself (the built CLI, `--quiet`, logging at error), beside the bare node:http
 * handler measured in the same run, for what users' accounts mostly receive: a subscribe event (the welcome), a
 * keyword reply, and a question for the model (an instant model, so the row is the webhook's own cost of the model
 * path). Plain mode, every request a new user (and MsgId), validly signed; interleaved rounds, the median run shown.
 */
import type { Result } from 'autocannon';
import { defaultTexts } from '../src/config.js';
import { parseReplyXml } from '../src/wechat/index.js';
import { ACCOUNT, BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER, MODEL_ANSWER, MODEL_QUESTION } from './constants.js';
import { postSigned } from './post-signed.js';
import { startServe } from './serve-process.js';
import { settleHeap } from './settle-heap.js';
import {
  createRequestFactory,
  createTimedRequestPool,
  type RequestFactory,
  type SignedRequest,
} from './signed-requests.js';
import { fixed, markdownTable } from './table.js';
import { startServers } from './throughput.js';

export type Workload = 'subscribe' | 'keyword' | 'model';

const WORKLOADS: { workload: Workload; label: string; expected: string }[] = [
  { workload: 'subscribe', label: 'subscribe event (welcome)', expected: defaultTexts.welcome },
  { workload: 'keyword', label: 'keyword reply', expected: KEYWORD_ANSWER },
  { workload: 'model', label: 'question for the model (instant model)', expected: MODEL_ANSWER },
];

export interface ServeThroughputOptions {
  durationSec: number;
  rounds: number;
  warmupSec: number;
  connections: number;
}

export interface ServeRow {
  workload: Workload;
  server: 'bare' | 'serve';
  requestsPerSec: number;
  p50: number;
  p99: number;
  ratio: number;
  /** Each round's ratio (serve only). */
  roundRatios: number[];
  errors: number;
  non2xx: number;
}

let factories = 0;

export function workloadRequests(workload: Workload): RequestFactory {
  return createRequestFactory({
    mode: 'plain',
    path: '/wechat',
    ...BENCH_WECHAT,
    account: ACCOUNT,
    content: workload === 'keyword' ? KEYWORD : MODEL_QUESTION,
    kind: workload === 'subscribe' ? 'subscribe' : 'text',
    prefix: `s${++factories}`,
  });
}

async function checkAnswer(base: string, request: SignedRequest, expected: string): Promise<void> {
  const response = await fetch(`${base}${request.path}`, { method: 'POST', body: request.body });
  const body = await response.text();
  const reply = response.status === 200 ? parseReplyXml(body) : undefined;
  if (reply?.type !== 'text' || reply.content !== expected) {
    throw new Error(`${base} answered ${response.status} ${body.slice(0, 200)}`);
  }
}

export async function loadAt(
  base: string,
  workload: Workload,
  { durationSec, connections, overallRate }: { durationSec: number; connections: number; overallRate?: number },
): Promise<Result> {
  const next = createTimedRequestPool(workloadRequests(workload), overallRate ?? 14_000, Math.ceil(durationSec));
  settleHeap();
  return await postSigned(base, next, { connections, duration: durationSec, ...(overallRate ? { overallRate } : {}) });
}

/** The checked answer before and after every load, so that a run of wrong answers is never counted. */
async function checked<T>(bases: string[], workload: Workload, expected: string, load: () => Promise<T>): Promise<T> {
  const check = workloadRequests(workload);
  for (const base of bases) await checkAnswer(base, check(), expected);
  const result = await load();
  for (const base of bases) await checkAnswer(base, check(), expected);
  return result;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const medianRun = (results: Result[]) => {
  const middle = median(results.map((result) => result.requests.average));
  return results.find((result) => result.requests.average === middle)!;
};
const requestsOf = (results: Result[]) => results.reduce((sum, result) => sum + result.requests.total, 0);

/**
 * One round: a fresh `serve` (a fresh store, started as users start it), warmed up, then one-second slices of load
 * alternating between the bare handler and `serve` (bare, serve, bare, serve…), as many of each as the run has
 * seconds. On a shared VM req/s moves by tens of % from one minute to the next, and by as much between two 5 s runs;
 * slices a second apart see the same machine, so the round's ratio (serve's requests over the bare handler's, in the
 * same total time) is the servers' and not the minute's.
 */
async function round(
  bareBase: string,
  modelUrl: string,
  workload: Workload,
  expected: string,
  options: ServeThroughputOptions,
): Promise<{ bare: Result[]; serve: Result[]; ratio: number }> {
  const running = await startServe({ modelUrl });
  try {
    const serveBase = new URL(running.url).origin;
    const slices = Math.max(1, Math.round(options.durationSec));
    return await checked([bareBase, serveBase], workload, expected, async () => {
      if (options.warmupSec > 0) {
        for (const base of [bareBase, serveBase]) {
          await loadAt(base, workload, { ...options, durationSec: options.warmupSec });
        }
      }
      const bare: Result[] = [];
      const serve: Result[] = [];
      for (let slice = 0; slice < slices; slice++) {
        bare.push(await loadAt(bareBase, workload, { ...options, durationSec: 1 }));
        serve.push(await loadAt(serveBase, workload, { ...options, durationSec: 1 }));
      }
      return { bare, serve, ratio: requestsOf(serve) / requestsOf(bare) };
    });
  } finally {
    await running.stop();
  }
}

export async function benchServeThroughput(
  options: ServeThroughputOptions,
): Promise<{ rows: ServeRow[]; markdown: string }> {
  // The baseline in a process of its own, as in the throughput section: no other server's heap beside it.
  const servers = await startServers(undefined, ['bare']);
  const bareBase = `http://127.0.0.1:${servers.ports.bare}`;
  const rows: ServeRow[] = [];
  try {
    for (const { workload, expected } of WORKLOADS) {
      const rounds = [];
      for (let n = 0; n < options.rounds; n++) {
        rounds.push(await round(bareBase, servers.ports.modelUrl, workload, expected, options));
      }
      for (const server of ['bare', 'serve'] as const) {
        const all = rounds.flatMap((done) => done[server]);
        const run = medianRun(all);
        rows.push({
          workload,
          server,
          // The mean over every slice of every round (slices of one second each).
          requestsPerSec: requestsOf(all) / all.length,
          p50: run.latency.p50,
          p99: run.latency.p99,
          ratio: server === 'bare' ? 1 : median(rounds.map((done) => done.ratio)),
          roundRatios: server === 'bare' ? [] : rounds.map((done) => done.ratio),
          errors: all.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
          non2xx: all.reduce((sum, result) => sum + result.non2xx, 0),
        });
      }
    }
  } finally {
    await servers.close();
  }
  const label = (workload: Workload) => WORKLOADS.find((w) => w.workload === workload)!.label;
  const markdown = markdownTable(
    ['message', 'server', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'rounds', 'errors', 'non-2xx'],
    rows.map((row) => [
      label(row.workload),
      row.server === 'bare' ? 'bare node:http (baseline)' : '`wechat-gpt serve --quiet`',
      Math.round(row.requestsPerSec),
      row.p50,
      row.p99,
      `${fixed(row.ratio, 2)}×`,
      row.roundRatios.map((ratio) => fixed(ratio, 2)).join(' '),
      row.errors,
      row.non2xx,
    ]),
  );
  return { rows, markdown };
}
