/**
 * The deadline table under faults: the built CLI (`serve`, 安全模式) as users run it, two instances on one private
 * redis-server behind a load balancer that sends each attempt to a live instance in turn, a fake model whose latencies
 * are spread evenly, and one fault per row in the middle of the run: Redis stalled (SIGSTOP) for a WeChat timeout,
 * Redis flushed, an instance killed (SIGKILL), an instance stopped (SIGTERM) with answers in flight. The WeChat-like
 * client and the counting are the deadline table's. The timing is WeChat's own unless `scale` compresses it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTexts } from '../src/config.js';
import { type DeliverResult, deliver, ERROR_PAGE_TEXT } from '../src/simulator/index.js';
import { type RunningCli, startCli } from '../test/cli/spawn-cli.js';
import { type RedisProcess, sendCommand, startRedisProcess } from '../test/store/redis-process.js';
import { type FakeOpenAI, startFakeOpenAI } from '../test/support/fake-openai.js';
import { type ChatBody, lastUserText } from '../test/support/llm-body.js';
import type { Outcome } from './deadline.js';
import { markdownTable } from './table.js';

export type Fault = 'none' | 'redis stall' | 'redis flush' | 'instance killed' | 'shutdown';

export interface FaultRow {
  fault: Fault;
  messages: number;
  counts: Record<Outcome | 'answer lost', number>;
  llmCallsPerMessage: number;
  continuesSent: number;
  delivered: number;
}

const TOKEN = 'benchFaults42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const API_KEY = 'sk-bench-faults';
const MAX_CONTINUES = 12;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Instance {
  url: string;
  cli: RunningCli;
  alive: boolean;
}

async function startInstance(cwd: string, env: Record<string, string>): Promise<Instance> {
  const cli = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json', '--quiet'], { cwd, env });
  const ready = JSON.parse(await cli.waitForLine((line) => line.startsWith('{'), 30_000)) as { url: string };
  return { url: ready.url, cli, alive: true };
}

export async function benchFaults({
  scale = 1,
  messages = 20,
  faults = ['none', 'redis stall', 'redis flush', 'instance killed', 'shutdown'] as Fault[],
} = {}): Promise<{ rows: FaultRow[]; markdown: string }> {
  const timeoutMs = Math.round(5000 * scale);
  const fake: FakeOpenAI = await startFakeOpenAI({ apiKey: API_KEY });
  fake.setDefault((request) => {
    const question = lastUserText(request.body as ChatBody);
    return { reply: `answer:${question}`, latencyMs: Number(/slow:(\d+)/.exec(question)?.[1] ?? 0) };
  });
  const rows: FaultRow[] = [];
  try {
    for (const fault of faults) rows.push(await runRow(fault, { fake, scale, timeoutMs, messages }));
  } finally {
    await fake.close();
  }
  const markdown = markdownTable(
    [
      'fault',
      'messages',
      'attempt 1',
      'attempt 2',
      'attempt 3',
      'outbox → 继续',
      'error page',
      'answer-lost text',
      'lost',
      'LLM calls/msg',
      '继续 sent',
      'delivered',
    ],
    rows.map((row) => [
      row.fault,
      row.messages,
      row.counts['attempt 1'],
      row.counts['attempt 2'],
      row.counts['attempt 3'],
      row.counts.outbox,
      row.counts['error page'],
      row.counts['answer lost'],
      row.counts.lost,
      row.llmCallsPerMessage.toFixed(2),
      row.continuesSent,
      `${row.delivered}/${row.messages}`,
    ]),
  );
  return { rows, markdown };
}

async function runRow(
  fault: Fault,
  { fake, scale, timeoutMs, messages }: { fake: FakeOpenAI; scale: number; timeoutMs: number; messages: number },
): Promise<FaultRow> {
  const cwd = mkdtempSync(join(tmpdir(), 'wechat-gpt-bench-faults-'));
  writeFileSync(
    join(cwd, 'wechat-gpt.config.json'),
    JSON.stringify({ timing: { wechatTimeoutMs: timeoutMs, replyBudgetMs: Math.round(4500 * scale) } }),
  );
  const redis: RedisProcess = await startRedisProcess();
  const env = {
    WECHAT_TOKEN: TOKEN,
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_APP_ID: APP_ID,
    OPENAI_API_KEY: API_KEY,
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: 'test-model',
    REDIS_URL: redis.url,
  };
  const instances = await Promise.all([startInstance(cwd, env), startInstance(cwd, env)]);
  let turn = 0;
  /** The load balancer: each attempt to the next live instance. */
  const pick = () => {
    const live = instances.filter((instance) => instance.alive);
    return (live[turn++ % Math.max(1, live.length)] ?? instances[0]!).url;
  };
  const send = (content: string, user: string): Promise<DeliverResult> =>
    deliver({
      url: pick(),
      urlForAttempt: () => pick(),
      token: TOKEN,
      encodingAesKey: AES_KEY,
      appId: APP_ID,
      mode: 'safe',
      message: { type: 'text', content, fromUser: user, toUser: 'gh_benchfaults' },
      timeoutMs,
      attempts: 3,
    });

  const maxLatencyMs = Math.round(30_000 * scale);
  const questions = Array.from(
    { length: messages },
    (_, i) => `${fault} q${i} slow:${Math.round((maxLatencyMs * i) / Math.max(1, messages - 1))}`,
  );
  const injecting = inject(fault, { redis, instances, timeoutMs });
  const results = await Promise.all(
    questions.map(async (question, i) => {
      await sleep(i * 50); // arrivals spread over a second, so the fault meets messages at every stage
      return ask(send, question, `oBench${process.pid}${fault.replace(/\W/g, '')}${i}`, timeoutMs);
    }),
  );
  await injecting;
  const counts: FaultRow['counts'] = {
    'attempt 1': 0,
    'attempt 2': 0,
    'attempt 3': 0,
    outbox: 0,
    push: 0,
    'error page': 0,
    lost: 0,
    'answer lost': 0,
  };
  for (const { outcome } of results) counts[outcome]++;
  const calls = fake.requests.filter(
    (r) => r.endpoint === 'chat' && questions.includes(lastUserText(r.body as ChatBody)),
  ).length;
  for (const instance of instances) instance.cli.kill('SIGKILL');
  await redis.dispose();
  rmSync(cwd, { recursive: true, force: true });
  return {
    fault,
    messages,
    counts,
    llmCallsPerMessage: calls / messages,
    continuesSent: results.reduce((sum, r) => sum + r.continues, 0),
    delivered: results.filter((r) => r.outcome.startsWith('attempt') || r.outcome === 'outbox').length,
  };
}

/** The fault, in the middle of the run (times in WeChat timeouts). */
async function inject(
  fault: Fault,
  { redis, instances, timeoutMs }: { redis: RedisProcess; instances: Instance[]; timeoutMs: number },
): Promise<void> {
  if (fault === 'none') return;
  await sleep(1.5 * timeoutMs);
  const a = instances[0]!;
  switch (fault) {
    case 'redis stall':
      redis.freeze();
      await sleep(timeoutMs);
      redis.thaw();
      return;
    case 'redis flush':
      await sendCommand(redis.port, 'FLUSHALL');
      return;
    case 'instance killed':
      a.alive = false;
      a.cli.kill('SIGKILL');
      return;
    case 'shutdown':
      a.alive = false;
      a.cli.kill('SIGTERM');
      await a.cli.exited(30_000).catch(() => undefined);
      return;
  }
}

/** One user asks one question and sends 继续 until the answer is on screen (or the bot says it was lost). */
async function ask(
  send: (content: string, user: string) => Promise<DeliverResult>,
  question: string,
  user: string,
  timeoutMs: number,
): Promise<{ outcome: Outcome | 'answer lost'; continues: number }> {
  const answer = `answer:${question}`;
  const first = await send(question, user);
  if (!first.ok || first.userSees === ERROR_PAGE_TEXT) return { outcome: 'error page', continues: 0 };
  if (first.userSees === answer) return { outcome: `attempt ${first.attempts.length}` as Outcome, continues: 0 };
  for (let continues = 1; continues <= MAX_CONTINUES; continues++) {
    await sleep(timeoutMs);
    const next = await send('继续', user);
    if (!next.ok || next.userSees === ERROR_PAGE_TEXT) return { outcome: 'error page', continues };
    if (next.userSees.includes(answer)) return { outcome: 'outbox', continues };
    if (next.userSees === defaultTexts.answerLost) return { outcome: 'answer lost', continues };
  }
  return { outcome: 'lost', continues: MAX_CONTINUES };
}
