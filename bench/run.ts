/**
 * `npm run bench`: throughput, the deadline table, memory and CLI start-up, printed as markdown and written to
 * bench/results.md. Benchmarks report; they never pass or fail (the test suite does that, on a compressed clock).
 *
 *   npm run bench                      all sections, 5 s per load run, the deadline table on a ×1/10 clock
 *   npm run bench -- --quick           2 s per load run, one round (default: 5 s, three rounds)
 *   npm run bench -- --real            the deadline table at WeChat's real timing (5 s timeout, latencies to 30 s)
 *   npm run bench -- --only throughput,memory
 *   npm run bench -- --only kb          the knowledge base (index build, search at 10k and 100k passages, memory)
 *   npm run bench -- --log             wechat-gpt logs every message at info (to /dev/null) during the load runs
 *   npm run bench -- --only throughput --targets listener,console   some servers only (and the baseline)
 *   npm run bench -- --only moderation   the word-list check of one answer (in-process, a few seconds)
 *   npm run bench -- --only gc          bytes promoted and GC pauses per request, per server (about 2 minutes)
 *   npm run bench -- --only instructions instructions per request under valgrind (steady; about 10 minutes)
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchConsoleOverhead } from './console-overhead.js';
import { benchDeadline } from './deadline.js';
import { benchFaults } from './faults.js';
import { benchGc } from './gc.js';
import { benchInstructions } from './instructions.js';
import { benchKb } from './kb.js';
import { benchLoadMemory } from './load-memory.js';
import { benchMemory } from './memory.js';
import { benchModeration } from './moderation.js';
import { profileServe } from './profile-serve.js';
import { benchServeThroughput } from './serve-throughput.js';
import type { Target } from './servers.js';
import { benchStartup } from './startup.js';
import { benchThroughput } from './throughput.js';

const SECTIONS = [
  'serve',
  'throughput',
  'console',
  'deadline',
  'faults',
  'memory',
  'load-memory',
  'profile',
  'startup',
  'moderation',
  'kb',
  'gc',
  'instructions',
] as const;
type Section = (typeof SECTIONS)[number];
/** Opt-in sections: slow, and needing what a plain machine may lack (valgrind). */
const OPT_IN: readonly Section[] = ['instructions'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    real: { type: 'boolean', default: false },
    log: { type: 'boolean', default: false },
    only: { type: 'string' },
    targets: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    out: { type: 'string', default: fileURLToPath(new URL('./results.md', import.meta.url)) },
  },
});

const only = (values.only?.split(',').map((name) => name.trim()) ??
  SECTIONS.filter((name) => !OPT_IN.includes(name))) as Section[];
for (const name of only) {
  if (!SECTIONS.includes(name)) throw new Error(`Unknown section "${name}": use ${SECTIONS.join(', ')}.`);
}
const durationSec = Number(values.duration ?? (values.quick ? 2 : 5));
const connections = Number(values.connections);
const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
const scale = values.real ? 1 : 1 / 10;

const parts: string[] = [
  '# wechat-gpt benchmarks',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'} · ` +
    `${Math.round(totalmem() / 2 ** 30)} GB · ${process.platform}`,
];
const print = (text: string) => {
  parts.push(text);
  console.log(text);
};
console.log(parts.join('\n'));

if (only.includes('serve')) {
  const { markdown } = await benchServeThroughput({
    durationSec,
    rounds,
    warmupSec: values.quick ? 0.5 : 2,
    connections,
  });
  print(
    `\n## Through \`wechat-gpt serve\` (plain mode, loopback)\n\nThe built CLI as users run it (\`serve --quiet\`, ` +
      `LOG_LEVEL=error) beside the bare node:http handler (in a process of its own); autocannon, ${connections} ` +
      `connections. ${rounds} round${rounds === 1 ? '' : 's'} per message, each with a fresh \`serve\` (a fresh store), ` +
      `warmed up, then ${durationSec} one-second slices of each server alternating (bare, serve, bare, serve…): slices a ` +
      `second apart see the same machine, where separate runs a minute apart differed by tens of % on this shared VM. ` +
      `"vs bare" is the median round's ratio of requests answered ("rounds": each round's); req/s is the mean over all slices, the latencies ` +
      `the median slice's. ` +
      `Every request a new user (and MsgId), validly signed. The model is an instant OpenAI-compatible server in ` +
      `another process: the model row is the webhook's own cost of a model answer. The bare handler answers the same ` +
      `texts (welcome, keyword answer, the model's answer) with no bot, store or logging.\n\n${markdown}`,
  );
}

if (only.includes('throughput')) {
  const { markdown } = await benchThroughput({
    durationSec,
    rounds,
    warmupSec: values.quick ? 0.5 : 2,
    connections,
    ...(values.log ? { logLevel: 'info' } : {}),
    ...(values.targets ? { targets: values.targets.split(',').map((name) => name.trim()) as Target[] } : {}),
  });
  print(
    `\n## Webhook throughput (keyword reply, loopback)\n\nautocannon, ${connections} connections. Each server runs in a ` +
      `process of its own (the baseline's too), the load generator on the other core. ${rounds} round${rounds === 1 ? '' : 's'} ` +
      `of the servers in turn; in each, a server on new instances is warmed up, then ${durationSec} one-second slices of ` +
      `it alternate with ${durationSec} of the bare node:http handler of the same mode (bare, server, bare, server…): ` +
      `slices a second apart see the same machine, where separate runs a minute apart differed by tens of % on this ` +
      `shared VM. "vs baseline" is the median round's ratio of requests answered ("rounds": each round's); req/s is the ` +
      `mean over all slices, the latencies the median slice's. Every request a new user and MsgId, validly signed. ` +
      `"CPU µs/request" is the server process's main-thread CPU time per request over its slices (the median round's; ` +
      `Linux counts it in 10 ms ticks), the server's own cost; "CPU vs baseline" is the baseline's (over its slices of ` +
      `the same round) against it, the median round's. wechat-gpt ${values.log ? 'logs every message at info (to /dev/null)' : 'with logging off'}.\n\n${markdown}`,
  );
}

if (only.includes('console')) {
  const requests = values.quick ? 5000 : 20_000;
  const { markdown, observerUs, retained } = await benchConsoleOverhead({
    requests,
    rounds: Math.max(rounds, 3),
    connections,
  });
  print(
    `\n## Dev console overhead (no browser open)\n\nCPU time of the servers' process per webhook request (keyword ` +
      `reply, ${requests} requests per run after a 2,000-request warm-up, ${connections} connections, rounds alternating ` +
      `the two servers in ABBA order, the median round shown). Both servers run as \`serve\` runs them (the bot hands each ` +
      `message's record to an onMessage); the second also has the console as \`serve\` wires it: its observer records ` +
      `every attempt into its history (200 messages by default), no page is open (no event stream). "All threads" is the ` +
      `process's CPU time, V8's helper threads (concurrent marking, parallel scavenges) included; "main thread" is the ` +
      `JavaScript's own thread (Linux), the one that limits req/s.\n\n${markdown}\n\n` +
      `The console's own work per attempt, measured in-process (the observer recording a message and its attempt ` +
      `into a full 1,000-message history): ${observerUs.toFixed(2)} µs.\n\nWhat the history keeps alive per message ` +
      `(a history longer than the young generation spans gets each of them promoted: the GC section shows it): ` +
      `keyword requests through the listener on loopback, the heap after a full GC with a history of 5,000 messages ` +
      `against one of 1, divided by 4,999; objects are heap snapshot nodes. Deterministic (±0.5 object, ±100 bytes ` +
      `between runs), unlike the CPU time above.\n\n${retained}`,
  );
}

if (only.includes('deadline')) {
  const { markdown } = await benchDeadline({ scale, messages: 31 });
  const clock = values.real
    ? 'real timing: WeChat timeout 5 s, reply budget 4.5 s, model latencies 0–30 s'
    : 'compressed ×1/10 (as in the tests): WeChat timeout 500 ms, reply budget 450 ms, model latencies 0–3 s (read 1 s as 10 s)';
  print(
    `\n## Deadline behaviour\n\nA WeChat-like client (timeout, 3 attempts of the same message, then the continue word ` +
      `「继续」 until the answer arrives) against a fake model whose latencies are spread evenly; ${clock}. ` +
      `Active delivery pushes through a fake WeChat API.\n\n${markdown}`,
  );
}

if (only.includes('faults')) {
  // Always at WeChat's real timing: a compressed clock measures the machine's scheduling more than the faults.
  const { markdown } = await benchFaults({ scale: 1, messages: values.quick ? 10 : 20 });
  const clock = 'real timing: WeChat timeout 5 s, reply budget 4.5 s, model latencies 0–30 s';
  print(
    `\n## Deadline behaviour under faults\n\nThe built CLI (\`serve\`, 安全模式) twice on one private redis-server, ` +
      `behind a balancer that sends each attempt to a live instance in turn; the same WeChat-like client (3 attempts, ` +
      `then 「继续」 until the answer). One fault per row, 1.5 timeouts into the run: Redis stalled (SIGSTOP) for one ` +
      `timeout, Redis flushed (FLUSHALL), one instance killed (SIGKILL), one instance stopped (SIGTERM) with answers ` +
      `in flight; ${clock}. "answer-lost text": the bot told the user the answer could not be finished.\n\n${markdown}`,
  );
}

if (only.includes('memory')) {
  const { markdown } = await benchMemory();
  print(
    `\n## Memory store\n\n100,000 users' sessions (one exchange each: a 20-character question, a 66-character answer), ` +
      `in a fresh process each, after GC.\n\n${markdown}`,
  );
}

if (only.includes('load-memory')) {
  const { markdown, summary } = await benchLoadMemory({ durationSec: values.quick ? 70 : 90 });
  print(
    `\n## Memory under sustained load\n\n\`serve\` (as above) at a fixed 150 new users per second, its RSS sampled ` +
      `every 10 s. Each new user leaves a rate counter (60 s); the model path also a job record (timing.jobTtlMs, ` +
      `10 min by default) and a conversation (session.idleMs, 30 min by default), cut here to 20 s so the plateau ` +
      `shows in a short run.\n\n${markdown}\n\n${summary}`,
  );
}

if (only.includes('profile')) {
  const { markdown } = await profileServe({ workload: 'subscribe', durationSec: values.quick ? 3 : 5, connections });
  print(
    `\n## Where serve's time goes (subscribe events)\n\nV8's CPU profile of \`serve --quiet\` under the subscribe ` +
      `load above, top functions by self time (idle excluded).\n\n${markdown}`,
  );
}

if (only.includes('startup')) {
  const { markdown } = await benchStartup({ runs: values.quick ? 5 : 11 });
  print(`\n## CLI start-up\n\n${markdown}`);
}

if (only.includes('moderation')) {
  const { markdown } = benchModeration({ runs: values.quick ? 500 : 2000 });
  print(
    `\n## Moderation (word lists)\n\nOne check of a model's answer against a word list: normalization (全角/半角, ` +
      `case, separators) and one Aho–Corasick pass (@monyone/aho-corasick, double array), in-process, the median of ` +
      `5 rounds. The list is 20,000 random 2–4-character CJK words; the answer 2,000 common characters with two ` +
      `listed words in it (one split by a separator).\n\n${markdown}`,
  );
}

if (only.includes('kb')) {
  const sizes = values.quick ? [10_000] : [10_000, 100_000];
  const dimensions = 1536;
  const { markdown } = await benchKb({ sizes, dimensions, queries: 500 });
  print(
    `\n## Knowledge base\n\nIndexing and top-4 search over synthetic embeddings (${dimensions} dimensions, unit vectors ` +
      `around 300 topics, as text-embedding-3-small gives), in this process. The bot searches the HNSW graph ` +
      `(usearch, f16); the exact scan (plain TypeScript over vectors.f32) is what the graph replaces, and the truth its ` +
      `recall is measured against (first 50 queries). Memory per passage leaves out the passage's own text, which ` +
      `manifest.json keeps. Embedding time and cost depend on the provider and are printed by \`kb build\`.\n\n${markdown}`,
  );
}

if (only.includes('gc')) {
  const { markdown } = await benchGc();
  print(
    `\n## What each request leaves to the collector\n\nEach server alone with V8's --trace-gc-nvp, plain mode, 50 ` +
      `connections, every request a new user: 4,000 requests to warm up, then 20,000 counted. "Promoted" is what ` +
      `outlives the young generation (kept data, and work for later full collections); the pauses are the collector's ` +
      `on the JavaScript thread. Steady between runs (a few %), unlike req/s.\n\n${markdown}`,
  );
}

if (only.includes('instructions')) {
  const { markdown } = await benchInstructions();
  print(
    `\n## Instructions per request (valgrind)\n\nThe servers of the throughput table one at a time under valgrind's ` +
      `cachegrind, plain mode, 50 connections, every request a new user: the instructions of 14,000 requests less ` +
      `those of 6,000, per request (start-up, warm-up and most compiling cancel out). It moves less than req/s between ` +
      `runs (up to about 15 %) and counts work, not time (cache misses do not show), so its ratios run above the req/s ` +
      `ratios; BENCH_CACHEGRIND_DIR keeps the output files for cg_diff.\n\n` +
      markdown,
  );
}

writeFileSync(values.out, `${parts.join('\n')}\n`);
console.log(`\nwritten to ${values.out}`);
