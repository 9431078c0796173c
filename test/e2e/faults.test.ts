/**
 * The delivery promise under operational faults, at WeChat's real timing (5 s timeout, 3 attempts), against the built
 * CLI (`serve`, 安全模式) as users run it: real redis-server processes stalled (SIGSTOP), flushed and stopped, real
 * serve processes killed (SIGKILL) and stopped (SIGTERM), WeChat's retries sent to either instance as a load balancer
 * does. For each fault: no error page, the answer delivered (on an attempt, via 「继续」, or pushed), one model call per
 * message, and the answer-lost text only where the answer really could not be produced.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import { type DeliverResult, deliver } from '../../src/simulator/index.js';
import { tempDir } from '../cli/run-cli.js';
import { type RunningCli, startCli } from '../cli/spawn-cli.js';
import { type RedisProcess, sendCommand, startRedisProcess } from '../store/redis-process.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

const TOKEN = 'faultsToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'appsecret0123456789abcdef0123456';
const API_KEY = 'sk-faults-0001';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let fake: FakeOpenAI;
const dirs: { remove(): void }[] = [];
const running: RunningCli[] = [];
const redises: RedisProcess[] = [];
let users = 0;
const newUser = () => `oFault${process.pid}x${++users}`;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY });
  // "slow:<ms> …" answers after that long: "answer:<question>".
  fake.setDefault((request) => {
    const question = lastUserText(request.body as ChatBody);
    return { reply: `answer:${question}`, latencyMs: Number(/slow:(\d+)/.exec(question)?.[1] ?? 50) };
  });
});
afterEach(async () => {
  for (const cli of running.splice(0)) cli.kill('SIGKILL');
  await Promise.all(redises.splice(0).map((redis) => redis.dispose()));
});
afterAll(async () => {
  await fake.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

/** Model calls for one question. */
const callsFor = (question: string) =>
  fake.requests.filter((r) => r.endpoint === 'chat' && lastUserText(r.body as ChatBody) === question).length;

interface Instance {
  url: string;
  /** False once killed: the load balancer skips it (as proxy_next_upstream does). */
  alive: boolean;
  health(): Promise<{ status: number; report: Record<string, unknown> }>;
  cli: RunningCli;
}

async function startServe(env: Record<string, string>, cwd = tempFolder()): Promise<Instance> {
  const cli = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json'], {
    cwd,
    env: {
      WECHAT_TOKEN: TOKEN,
      WECHAT_AES_KEY: AES_KEY,
      WECHAT_APP_ID: APP_ID,
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'test-model',
      ...env,
    },
  });
  running.push(cli);
  const ready = JSON.parse(await cli.waitForLine((line) => line.startsWith('{'), 20_000)) as { url: string };
  const base = new URL(ready.url).origin;
  return {
    url: ready.url,
    alive: true,
    cli,
    async health() {
      const response = await fetch(`${base}/healthz`);
      return { status: response.status, report: (await response.json()) as Record<string, unknown> };
    },
  };
}

function tempFolder(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

async function redis(options: Parameters<typeof startRedisProcess>[0] = {}): Promise<RedisProcess> {
  const started = await startRedisProcess(options);
  redises.push(started);
  return started;
}

/** WeChat sending one message: attempt n goes to the live instances of the route in turn. */
function send(
  route: Instance[],
  content: string,
  user: string,
  options: { msgId?: string } = {},
): Promise<DeliverResult> {
  return deliver({
    url: route[0]!.url,
    urlForAttempt: (n) => {
      const live = route.filter((instance) => instance.alive);
      return (live[(n - 1) % live.length] ?? route[0]!).url;
    },
    token: TOKEN,
    encodingAesKey: AES_KEY,
    appId: APP_ID,
    mode: 'safe',
    message: { type: 'text', content, fromUser: user, toUser: 'gh_faults0001' },
    timeoutMs: 5000,
    attempts: 3,
    ...(options.msgId ? { msgId: options.msgId } : {}),
  });
}

/** Sends 继续 (after waiting `afterMs`) until something other than the thinking notice comes back. */
async function fetchWithContinue(route: Instance[], user: string, afterMs = 0): Promise<string> {
  await sleep(afterMs);
  const result = await send(route, '继续', user);
  expect(result.problems).toEqual([]);
  return result.userSees;
}

const noErrorPage = (result: DeliverResult) => {
  expect(result.problems).toEqual([]);
  expect(result.ok).toBe(true);
};

describe('faults of Redis under two instances', () => {
  it('Redis stalls 5 s during attempt 3 of a 20 s answer: the notice in time, the answer via 继续, one call', async () => {
    const shared = await redis();
    const [a, b] = await Promise.all([startServe({ REDIS_URL: shared.url }), startServe({ REDIS_URL: shared.url })]);
    const user = newUser();
    const question = 'slow:20000 stall';
    const sending = send([a, b], question, user);
    await sleep(9800);
    shared.freeze();
    await sleep(5000);
    shared.thaw();
    const result = await sending;
    noErrorPage(result);
    expect(result.userSees).toBe(defaultTexts.thinking);
    expect(result.attempts.at(-1)!.latencyMs).toBeLessThan(5000);
    expect(await fetchWithContinue([b], user, 6000)).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });

  it('Redis loses its data 2 s into a 20 s answer: no second model call, no held last attempt', async () => {
    const shared = await redis();
    const [a, b] = await Promise.all([startServe({ REDIS_URL: shared.url }), startServe({ REDIS_URL: shared.url })]);
    const user = newUser();
    const question = 'slow:20000 flushed';
    const sending = send([a, b], question, user);
    await sleep(2000);
    expect(await sendCommand(shared.port, 'FLUSHALL')).toContain('OK');
    const result = await sending;
    noErrorPage(result);
    expect(result.userSees).toBe(defaultTexts.thinking);
    expect(await fetchWithContinue([b], user, 6500)).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });

  it('a retry meets a 2 s Redis outage while an 8 s answer is written: the retry gets the answer', async () => {
    const shared = await redis();
    const [a, b] = await Promise.all([startServe({ REDIS_URL: shared.url }), startServe({ REDIS_URL: shared.url })]);
    const user = newUser();
    const question = 'slow:8000 outage';
    const sending = send([a, b], question, user);
    await sleep(4500);
    await shared.stop();
    await sleep(2000);
    await shared.start();
    const result = await sending;
    noErrorPage(result);
    expect(result.userSees).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });
});

describe('an instance killed', () => {
  it("killed while its reply carries a waiting answer: the answer comes back, the new question's too", async () => {
    const shared = await redis();
    const [a, b] = await Promise.all([startServe({ REDIS_URL: shared.url }), startServe({ REDIS_URL: shared.url })]);
    const user = newUser();
    const first = 'slow:16000 first';
    expect((await send([b], first, user)).userSees).toBe(defaultTexts.thinking);
    await sleep(2000); // its answer waits in the outbox
    // The next question lands on A, whose job claims the waiting answer for its reply: A dies before writing it.
    const second = 'slow:3000 second';
    const sending = send([a, b], second, user);
    await sleep(1500);
    a.cli.kill('SIGKILL');
    a.alive = false;
    const result = await sending;
    noErrorPage(result);
    // B took the message over once A's lease ran out, and answered it; the first answer's claim ran out too.
    const seen = [result.userSees];
    const both = () => seen.join('\n').includes(`answer:${first}`) && seen.join('\n').includes(`answer:${second}`);
    for (let i = 0; i < 6 && !both(); i++) {
      seen.push(await fetchWithContinue([b], user, 4000));
    }
    expect(seen.join('\n')).toContain(`answer:${first}`);
    expect(seen.join('\n')).toContain(`answer:${second}`);
    expect(seen.join('\n')).not.toContain(defaultTexts.answerLost);
    expect(callsFor(first)).toBe(1);
  });

  it('killed mid-answer after the notice: 继续 says the answer was lost, never waits forever', async () => {
    const shared = await redis();
    const [a, b] = await Promise.all([startServe({ REDIS_URL: shared.url }), startServe({ REDIS_URL: shared.url })]);
    const user = newUser();
    const question = 'slow:30000 dies';
    expect((await send([a], question, user)).userSees).toBe(defaultTexts.thinking);
    a.cli.kill('SIGKILL');
    const next = await send([b], '继续', user);
    noErrorPage(next);
    expect(next.userSees).toBe(defaultTexts.answerLost);
  });
});

describe('a restart', () => {
  it('SIGTERM with 6 slow answers in flight (memory store): 6 notices at once, exit within the drain, nothing lost', async () => {
    const cwd = tempFolder();
    const instance = await startServe({}, cwd);
    const users6 = Array.from({ length: 6 }, () => newUser());
    const questions = users6.map((_, i) => `slow:${2000 + i * 1000} restart ${i}`);
    const sending = users6.map((user, i) => send([instance], questions[i]!, user));
    await sleep(1000);
    const stoppedAt = Date.now();
    instance.cli.kill('SIGTERM');
    const results = await Promise.all(sending);
    for (const result of results) {
      noErrorPage(result);
      expect(result.userSees).toBe(defaultTexts.thinking);
    }
    const exit = await instance.cli.exited(15_000);
    expect(exit.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(11_000);
    const again = await startServe({}, cwd);
    for (const [i, user] of users6.entries()) {
      expect(await fetchWithContinue([again], user)).toBe(`answer:${questions[i]}`);
      expect(callsFor(questions[i]!)).toBe(1);
    }
  });
});

describe('active delivery while the WeChat API is down', () => {
  let api: FakeWechatApi;
  beforeAll(async () => {
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
  });
  afterAll(() => api.close());

  it('the answer waits in the outbox, delivery turns passive, /healthz says degraded, users get 「继续」', async () => {
    const instance = await startServe({ WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE: api.url });
    api.inject('/cgi-bin/message/custom/send', 'outage', 100);
    const user = newUser();
    const question = 'slow:6000 api down';
    const first = await send([instance], question, user);
    noErrorPage(first);
    expect(first.userSees).toBe(''); // success now, the push was to follow
    // The push fails when the answer is ready (6 s): the answer goes to the outbox, delivery degrades.
    await expect
      .poll(async () => (await instance.health()).report, { timeout: 15_000, interval: 250 })
      .toMatchObject({
        status: 'degraded',
        delivery: 'passive',
        deliveryState: { mode: 'degraded' },
      });
    expect((await instance.health()).status).toBe(200);
    // Degraded: a slow answer is no longer pushed into the void; the notice tells the user to send 继续.
    const later = 'slow:20000 while degraded';
    const second = await send([instance], later, newUser());
    noErrorPage(second);
    expect(second.userSees).toBe(defaultTexts.thinking);
    // The first user's next message brings the waiting answer.
    expect(await fetchWithContinue([instance], user)).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });
});
