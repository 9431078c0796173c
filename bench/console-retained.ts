/**
 * What the dev console's history keeps alive per message: the heap (after a full GC) and the heap objects that a
 * message recorded by the console as `serve` wires it holds until it is evicted. Every message kept survives the young
 * generation and is promoted, so these are what each webhook request adds to the GC's work with no browser open.
 * Deterministic, unlike req/s on a shared machine: real signed requests (plain and 安全模式) go through the real
 * listener on loopback into two consoles that differ only in their history's bound (1 message, and 5,000 so that a
 * few hundred kB of noise between runs weigh little); the difference, divided by 4,999, is one message's share.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDevConsole } from '../src/console/index.js';
import { createMemoryStore, createWechatGpt } from '../src/index.js';
import { silentLogger } from '../src/logger.js';
import { ACCOUNT, BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER } from './constants.js';
import type { BenchMode } from './signed-requests.js';
import { createRequestFactory } from './signed-requests.js';
import { fixed, markdownTable } from './table.js';

/** Kept messages in the measured run (the console's default bound is 1,000; the cost per message is the same). */
const HISTORY = 5000;
let runs = 0;

export interface RetainedRow {
  mode: BenchMode;
  /** Heap bytes one recorded message keeps alive. */
  bytes: number;
  /** Heap objects (heap snapshot nodes) one recorded message keeps alive. */
  objects: number;
}

/** global.gc without --expose-gc on the command line. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The heap's object count, read from the head of a heap snapshot (taking one runs a full GC first). */
async function heapObjects(): Promise<number> {
  const stream = getHeapSnapshot();
  let head = '';
  for await (const chunk of stream) {
    head += String(chunk);
    const found = /"node_count":(\d+)/.exec(head);
    if (found) {
      stream.destroy();
      return Number(found[1]);
    }
  }
  throw new Error('no node_count in the heap snapshot');
}

/** Posts one request and reads its answer. */
function post(port: number, agent: Agent, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A listener as serve runs it with the console wired; `messages` requests through it; the heap left after a GC. */
async function heapAfter(
  mode: BenchMode,
  historySize: number,
  messages: number,
  gc: () => void,
): Promise<{ bytes: number; objects: number; close: () => Promise<void> }> {
  const devConsole = createDevConsole({ historySize });
  const gpt = createWechatGpt(
    {
      wechat: { ...BENCH_WECHAT },
      keywords: [{ match: 'exact', pattern: KEYWORD, reply: { type: 'text', content: KEYWORD_ANSWER } }],
      store: createMemoryStore(),
      logger: silentLogger,
    },
    { observer: devConsole.observer, wrapLlm: devConsole.wrapLlm, onMessage: devConsole.onMessage },
  );
  const server = createServer((req, res) => {
    if (!devConsole.handle(req, res)) gpt.listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  devConsole.attach({ gpt, port, host: '127.0.0.1' });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  // MsgIds of 19 digits and openids of 15+ characters: like WeChat's, long enough that the parser returns slices of
  // the document (V8 copies strings under 13 characters), which keep it alive if kept.
  const next = createRequestFactory({
    mode,
    path: '/wechat',
    ...BENCH_WECHAT,
    account: ACCOUNT,
    content: KEYWORD,
    prefix: String(1_000_000 + ++runs),
  });
  for (let i = 0; i < messages; i++) {
    const signed = next();
    const status = await post(port, agent, signed.path, signed.body);
    if (status !== 200) throw new Error(`the webhook answered ${status}`);
  }
  agent.destroy();
  gc();
  gc();
  const bytes = process.memoryUsage().heapUsed;
  const objects = await heapObjects();
  return {
    bytes,
    objects,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      devConsole.close();
      await gpt.close({ drainMs: 100 });
      await gpt.store.close();
    },
  };
}

/** One recorded message's share of the heap, per mode: a history of 5,000 against one of 1, after the same traffic. */
export async function consoleRetained(messages = HISTORY + 500): Promise<RetainedRow[]> {
  const gc = collector();
  const rows: RetainedRow[] = [];
  // A first pass warms up the JIT, so both measured runs run the same compiled code.
  await (await heapAfter('plain', HISTORY, 500, gc)).close();
  for (const mode of ['plain', 'safe'] as const) {
    const small = await heapAfter(mode, 1, messages, gc);
    await small.close();
    const full = await heapAfter(mode, HISTORY, messages, gc);
    await full.close();
    rows.push({
      mode,
      bytes: (full.bytes - small.bytes) / (HISTORY - 1),
      objects: (full.objects - small.objects) / (HISTORY - 1),
    });
  }
  return rows;
}

export function retainedTable(rows: RetainedRow[]): string {
  return markdownTable(
    ['mode', 'heap kept per message (bytes)', 'heap objects per message'],
    rows.map((row) => [row.mode, fixed(row.bytes, 0), fixed(row.objects, 1)]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(retainedTable(await consoleRetained()));
}
