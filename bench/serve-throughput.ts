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
  return await postSigned(base, next, { connections, duration: durationSec, ...(overallRate ? { overallRate } : {}) });
}

async function measure(base: string, workload: Workload, expected: string, options: ServeThroughputOptions) {
  const check = workloadRequests(workload);
  await checkAnswer(base, check(), expected);
  if (options.warmupSec > 0) await loadAt(base, workload, { ...options, durationSec: options.warmupSec });
  const result = await loadAt(base, workload, options);
  await checkAnswer(base, check(), expected);
  return result;
}

const medianRun = (results: Result[]) =>
  [...results].sort((a, b) => a.requests.average - b.requests.average)[Math.floor((results.length - 1) / 2)]!;

export async function benchServeThroughput(
  options: ServeThroughputOptions,
): Promise<{ rows: ServeRow[]; markdown: string }> {
  const servers = await startServers(undefined);
  const bareBase = `http://127.0.0.1:${servers.ports.bare}`;
  const rows: ServeRow[] = [];
  try {
    for (const { workload, expected } of WORKLOADS) {
      const bare: Result[] = [];
      const serve: Result[] = [];
      for (let round = 0; round < options.rounds; round++) {
        bare.push(await measure(bareBase, workload, expected, options));
        // A fresh serve each run (a fresh store), started as users start it.
        const running = await startServe({ modelUrl: servers.ports.modelUrl });
        try {
          serve.push(await measure(new URL(running.url).origin, workload, expected, options));
        } finally {
          await running.stop();
        }
      }
      const baseline = medianRun(bare).requests.average;
      for (const [server, all] of [
        ['bare', bare],
        ['serve', serve],
      ] as const) {
        const median = medianRun(all);
        rows.push({
          workload,
          server,
          requestsPerSec: median.requests.average,
          p50: median.latency.p50,
          p99: median.latency.p99,
          ratio: median.requests.average / baseline,
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
    ['message', 'server', 'req/s', 'p50 ms', 'p99 ms', 'vs bare', 'errors', 'non-2xx'],
    rows.map((row) => [
      label(row.workload),
      row.server === 'bare' ? 'bare node:http (baseline)' : '`wechat-gpt serve --quiet`',
      Math.round(row.requestsPerSec),
      row.p50,
      row.p99,
      `${fixed(row.ratio, 2)}×`,
      row.errors,
      row.non2xx,
    ]),
  );
  return { rows, markdown };
}
