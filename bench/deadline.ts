/**
 * The 5-second rule under a spread of model latencies: a WeChat-like client (timeout, 3 attempts, then the continue
 * word until the answer arrives) against the real server and a fake model answering after 0–30 s. Counts how each
 * answer reached the user and how many model calls each message cost. Compressed clock by default (×1/10, as the tests).
 */
import { ERROR_PAGE_TEXT } from '../src/simulator/index.js';
import { type FakeWechatApi, startFakeWechatApi } from '../test/support/fake-wechat-api.js';
import { APP_ID, type Harness, newUser, startHarness, TOKEN } from '../test/support/harness.js';
import { type ChatBody, lastUserText } from '../test/support/llm-body.js';
import { markdownTable } from './table.js';

export interface DeadlineOptions {
  /** 1 for WeChat's real timing, 1/20 for the compressed clock. */
  scale: number;
  /** Messages, with model latencies spread evenly over 0–maxLatencyMs (real scale: 30 s). */
  messages: number;
}

export type Outcome = 'attempt 1' | 'attempt 2' | 'attempt 3' | 'outbox' | 'push' | 'error page' | 'lost';

export interface DeadlineRow {
  scenario: 'passive' | 'active';
  counts: Record<Outcome, number>;
  messages: number;
  llmCallsPerMessage: number;
  continuesSent: number;
  delivered: number;
  note?: string;
}

const REAL = { wechatTimeoutMs: 5000, replyBudgetMs: 4500, maxLatencyMs: 30_000 };
const APP_SECRET = 'benchAppSecret0123456789abcdef01';
const MAX_CONTINUES = 20;

const latencyOf = (question: string) => Number(/slow:(\d+)/.exec(question)?.[1] ?? 0);
const answerTo = (question: string) => `answer:${question}`;

async function until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One user asks one question and does what a user does until the answer is on screen. */
async function ask(
  h: Harness,
  api: FakeWechatApi | undefined,
  question: string,
  waitMs: number,
): Promise<{ outcome: Outcome; continues: number }> {
  const user = newUser();
  const answer = answerTo(question);
  const first = await h.send(question, { user });
  if (!first.ok || first.userSees === ERROR_PAGE_TEXT) return { outcome: 'error page', continues: 0 };
  if (first.userSees === answer) return { outcome: `attempt ${first.attempts.length}` as Outcome, continues: 0 };
  if (first.userSees === '' && api) {
    const pushed = await until(
      () =>
        api.pushed(user).some((item) => item.kind === 'message' && JSON.stringify(item.body).includes(answer))
          ? true
          : undefined,
      waitMs,
    );
    return { outcome: pushed ? 'push' : 'lost', continues: 0 };
  }
  // The thinking notice: the user says the continue word until the answer comes.
  for (let continues = 1; continues <= MAX_CONTINUES; continues++) {
    const next = await h.send('继续', { user });
    if (!next.ok) return { outcome: 'error page', continues };
    if (next.userSees.includes(answer)) return { outcome: 'outbox', continues };
  }
  return { outcome: 'lost', continues: MAX_CONTINUES };
}

async function runScenario(scenario: 'passive' | 'active', { scale, messages }: DeadlineOptions): Promise<DeadlineRow> {
  const wechatTimeoutMs = Math.round(REAL.wechatTimeoutMs * scale);
  const replyBudgetMs = Math.round(REAL.replyBudgetMs * scale);
  const maxLatencyMs = Math.round(REAL.maxLatencyMs * scale);
  const api = scenario === 'active' ? await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET }) : undefined;
  const h = await startHarness({
    config: {
      delivery: scenario,
      timing: { wechatTimeoutMs, replyBudgetMs, attempts: 3 },
      ...(api ? { wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api.url } } : {}),
    },
  });
  h.fake.setDefault((request) => {
    const question = lastUserText(request.body as ChatBody);
    return { reply: answerTo(question), latencyMs: latencyOf(question) };
  });
  try {
    // The first model call loads the openai SDK (lazily, to keep start-up fast): keep that out of the numbers.
    await h.send('warm-up slow:0');
    const questions = Array.from(
      { length: messages },
      (_, i) => `q${i} slow:${Math.round((maxLatencyMs * i) / Math.max(1, messages - 1))}`,
    );
    const results = await Promise.all(
      questions.map((question) => ask(h, api, question, maxLatencyMs + 4 * wechatTimeoutMs)),
    );
    const counts: Record<Outcome, number> = {
      'attempt 1': 0,
      'attempt 2': 0,
      'attempt 3': 0,
      outbox: 0,
      push: 0,
      'error page': 0,
      lost: 0,
    };
    for (const { outcome } of results) counts[outcome]++;
    const calls = h.fake.requests.filter(
      (r) => r.endpoint === 'chat' && questions.includes(lastUserText(r.body as ChatBody)),
    );
    const row: DeadlineRow = {
      scenario,
      counts,
      messages,
      llmCallsPerMessage: calls.length / messages,
      continuesSent: results.reduce((sum, r) => sum + r.continues, 0),
      delivered: messages - counts['error page'] - counts.lost,
    };
    if (scenario === 'active' && h.gpt.deliveryMode() !== 'active') {
      row.note = 'active delivery not available in this build: answered passively';
    }
    return row;
  } finally {
    await h.close();
    await api?.close();
  }
}

export async function benchDeadline(options: DeadlineOptions): Promise<{ rows: DeadlineRow[]; markdown: string }> {
  const rows = [await runScenario('passive', options), await runScenario('active', options)];
  const markdown = markdownTable(
    [
      'delivery',
      'messages',
      'attempt 1',
      'attempt 2',
      'attempt 3',
      'outbox → 继续',
      'push',
      'error page',
      'lost',
      'LLM calls/msg',
      '继续 sent',
      'delivered',
    ],
    rows.map((row) => [
      `${row.scenario}${row.note ? ` (${row.note})` : ''}`,
      row.messages,
      row.counts['attempt 1'],
      row.counts['attempt 2'],
      row.counts['attempt 3'],
      row.counts.outbox,
      row.counts.push,
      row.counts['error page'],
      row.counts.lost,
      row.llmCallsPerMessage.toFixed(2),
      row.continuesSent,
      `${row.delivered}/${row.messages}`,
    ]),
  );
  return { rows, markdown };
}
