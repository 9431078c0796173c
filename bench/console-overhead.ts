/**
 * What the dev console costs the webhook when no browser is open: CPU time per request in the servers' process, for
 * the listener as `serve` runs it (with an onMessage, so the bot builds its per-message record) and the same with the
 * console wired as `serve` wires it (its observer records every
 * attempt into its history). CPU time, unlike req/s, is not blurred by other work on a shared machine.
 * Rounds alternate the two servers, in ABBA order; the median round is shown.
 */
import { createDevConsole } from '../src/console/index.js';
import type { ObservedAttempt } from '../src/server/observer.js';
import type { InboundMessage } from '../src/wechat/types.js';
import { consoleRetained, retainedTable } from './console-retained.js';
import { postSigned } from './post-signed.js';
import { type BenchMode, createRequestPool } from './signed-requests.js';
import { fixed, markdownTable } from './table.js';
import { checkAnswer, requests, startServers } from './throughput.js';

export interface ConsoleOverheadOptions {
  /** Requests per measured run. */
  requests: number;
  rounds: number;
  connections: number;
}

const SERVERS = [
  { target: 'served', label: 'wechat-gpt `gpt.listener` as serve runs it (with an onMessage)' },
  { target: 'console', label: 'the same + dev console, no browser open' },
] as const;

async function run(url: string, mode: BenchMode, amount: number, connections: number): Promise<void> {
  const next = createRequestPool(requests(mode), amount);
  await postSigned(url, next, { connections, amount });
}

/**
 * The console's own work per attempt, in this process: what the webhook hands the observer (a message opened, an
 * attempt answered) recorded into a full history (1,000 messages: the cost of a full ring). Inputs are built before the clock starts.
 */
export function observerCostUs(count = 200_000): number {
  const devConsole = createDevConsole();
  const input = (i: number): [InboundMessage, ObservedAttempt] => {
    const message: InboundMessage = {
      type: 'text',
      content: '价格',
      msgId: String(10n ** 17n + BigInt(i)),
      fromUser: `oBenchUser${i}`,
      toUser: 'gh_bench',
      createTime: 1_700_000_000,
    };
    return [
      message,
      {
        receivedAt: 1,
        latencyMs: 1,
        method: 'POST',
        query: 'signature=x&timestamp=1&nonce=2',
        body: '<xml/>',
        encrypted: false,
        inboundXml: '<xml/>',
        message,
        outcome: {
          reply: { type: 'text', content: '基础版' },
          attempt: 1,
          delivery: 'passive',
          key: '',
          meta: { source: 'keyword' },
        },
        replyXml: '<xml/>',
        responseBody: '<xml/>',
        status: 200,
      },
    ];
  };
  // Batches of 1,000 made outside the clock (holding all inputs at once would time the GC of a huge heap instead).
  const batch = 1000;
  let elapsed = 0;
  let timed = 0;
  for (let start = 0; start < count; start += batch) {
    const inputs = Array.from({ length: batch }, (_, i) => input(start + i));
    const began = performance.now();
    for (const [message, observed] of inputs) {
      devConsole.observer.received(message, 1);
      devConsole.observer.attempt(observed);
    }
    // The first quarter fills the history to its bound and warms up the JIT.
    if (start >= count / 4) {
      elapsed += performance.now() - began;
      timed += batch;
    }
  }
  return (elapsed * 1000) / timed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;

export async function benchConsoleOverhead(
  options: ConsoleOverheadOptions,
): Promise<{ markdown: string; observerUs: number; retained: string }> {
  const servers = await startServers(undefined);
  const rows: Array<[string, string, string, string, string, string, string]> = [];
  try {
    for (const mode of ['plain', 'safe'] as const) {
      const perRequest = new Map<string, number[]>(SERVERS.map(({ target }) => [target, []]));
      const onMainThread = new Map<string, number[]>(SERVERS.map(({ target }) => [target, []]));
      for (let round = 0; round < options.rounds; round++) {
        // ABBA: the order flips every round, so drift on a shared machine does not favour either server.
        for (const { target } of round % 2 === 0 ? SERVERS : [...SERVERS].reverse()) {
          await servers.reset();
          const url = `http://127.0.0.1:${servers.ports[target]}`;
          await checkAnswer(url, requests(mode)(), mode);
          // Warm-up: the JIT, and the console's history filled to its bound (steady state: every message evicts one).
          await run(url, mode, 2000, options.connections);
          const before = await servers.cpu();
          await run(url, mode, options.requests, options.connections);
          const after = await servers.cpu();
          perRequest.get(target)?.push((after.cpuUs - before.cpuUs) / options.requests);
          if (after.mainUs !== undefined && before.mainUs !== undefined) {
            onMainThread.get(target)?.push((after.mainUs - before.mainUs) / options.requests);
          }
        }
      }
      const base = median(perRequest.get('served') ?? []);
      const mainBase = median(onMainThread.get('served') ?? []);
      const versus = (value: number, against: number) =>
        `${value >= against ? '+' : ''}${fixed(((value - against) / against) * 100, 1)} %`;
      for (const { target, label } of SERVERS) {
        const values = perRequest.get(target) ?? [];
        const value = median(values);
        const main = median(onMainThread.get(target) ?? []);
        rows.push([
          mode,
          label,
          fixed(value, 1),
          `${fixed(Math.min(...values), 1)}–${fixed(Math.max(...values), 1)}`,
          target === 'served' ? '—' : versus(value, base),
          mainBase > 0 ? fixed(main, 1) : 'n/a',
          target === 'served' || mainBase === 0 ? '—' : versus(main, mainBase),
        ]);
      }
    }
  } finally {
    await servers.close();
  }
  return {
    markdown: markdownTable(
      [
        'mode',
        'server',
        'CPU µs/request, all threads (median)',
        'range over rounds',
        'vs without',
        'main thread µs/request (median)',
        'vs without',
      ],
      rows,
    ),
    observerUs: observerCostUs(),
    retained: retainedTable(await consoleRetained()),
  };
}
