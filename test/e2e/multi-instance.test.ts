// Several instances behind one URL, end to end (test/support/cluster.ts): two real webhook servers sharing one Redis,
// one fake model, and a WeChat-like client whose retries of a message land on either instance; Redis outages under
// them; the access_token shared by instances. Compressed clock: WeChat's 5 s is 500 ms.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { jobKey } from '../../src/bot/job-key.js';
import { createRedisStore, defaultTexts } from '../../src/index.js';
import type { DeliverResult } from '../../src/simulator/index.js';
import { createWechatApi, type WechatApi } from '../../src/wechat-api/index.js';
import { type RedisProcess, startRedisProcess } from '../store/redis-process.js';
import { type Cluster, type ClusterOptions, type InstanceName, startCluster } from '../support/cluster.js';
import { startFakeWechatApi } from '../support/fake-wechat-api.js';
import { newUser } from '../support/harness.js';
import type { ChatBody } from '../support/llm-body.js';

const redisUrl = inject('redisUrl');
function sharedRedis(): string {
  if (!redisUrl) throw new Error('redis-server is not running (see the global-setup message): install redis-server.');
  return redisUrl;
}

let prefixes = 0;
/** Each test is its own bot on the shared Redis. */
const uniquePrefix = () => `wgmulti:${process.pid}:${Date.now()}:${++prefixes}:`;

const clusters: Cluster[] = [];
const servers: RedisProcess[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((cluster) => cluster.close()));
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
});

/** Two instances on the shared Redis (or on `url`), closed after the test. */
async function twoInstances({
  url = sharedRedis(),
  ...options
}: Omit<Partial<ClusterOptions>, 'keyPrefix'> = {}): Promise<Cluster> {
  const started = await startCluster({ url, keyPrefix: uniquePrefix(), ...options });
  clusters.push(started);
  return started;
}

async function privateRedis(options: Parameters<typeof startRedisProcess>[0] = {}): Promise<RedisProcess> {
  const server = await startRedisProcess(options);
  servers.push(server);
  return server;
}

const outcomes = (result: DeliverResult) => result.attempts.map((attempt) => attempt.outcome);
const keyOf = (result: DeliverResult) => jobKey(result.message);
/** A user's turns as the model received them (the system prompt left out). */
const turnsOf = (body: ChatBody | undefined) =>
  body?.messages.filter((m) => m.role !== 'system').map((m) => `${m.role}: ${String(m.content)}`);

/** Asks a slow question that ends with the thinking notice; resolves once its answer waits in the outbox. */
async function answerIntoOutbox(cluster: Cluster, user: string, question: string, answer: string): Promise<void> {
  cluster.fake.script({ reply: answer, latencyMs: 1600 });
  const result = await cluster.send(question, { user, route: ['A'] });
  expect(result.userSees).toBe(defaultTexts.thinking);
  await expect
    .poll(() => cluster.b.store.summarizeOutbox(user), { timeout: 5000 })
    .toEqual({ unseenAnswers: 1, pages: 1 });
}

describe('two instances sharing one Redis', () => {
  it('a retry on the other instance attaches to the running job: one model call, the answer on attempt 2 by B', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    // Lands 150 ms after WeChat drops attempt 1 (500 ms) and 150 ms before attempt 2's budget ends (500 + 300 ms): an
    // equal margin each side, so a loaded machine moves neither edge past it.
    cluster.fake.script({ reply: '慢慢想好的回答', latencyMs: 650 });

    const result = await cluster.send('一个要想一会儿的问题', { user, route: ['A', 'B'], mode: 'safe' });

    expect(result.problems).toEqual([]);
    expect(outcomes(result)).toEqual(['timeout', 'reply']);
    expect(result.userSees).toBe('慢慢想好的回答');
    expect(cluster.chatRequests()).toHaveLength(1);
    expect(cluster.b.records).toEqual([
      expect.objectContaining({ attempt: 2, delivery: 'retry', source: 'llm', replyPreview: '慢慢想好的回答' }),
    ]);
    // A started the work and gave up its attempt when WeChat dropped it; B never ran the model.
    await expect.poll(() => cluster.a.records).toEqual([expect.objectContaining({ attempt: 1, delivery: 'dropped' })]);
    expect(await cluster.a.store.getJob(keyOf(result))).toMatchObject({
      status: 'done',
      attempts: 2,
      deliveredBy: 'attempt 2',
    });
  });

  it('attempts alternating A, B, A: the answer goes out on attempt 3 by A, still one model call', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    cluster.fake.script({ reply: '第三次才赶上', latencyMs: 1200 });

    const result = await cluster.send('更慢的问题', { user, route: ['A', 'B'] });

    expect(outcomes(result)).toEqual(['timeout', 'timeout', 'reply']);
    expect(result.userSees).toBe('第三次才赶上');
    expect(cluster.chatRequests()).toHaveLength(1);
    expect(cluster.a.records.at(-1)).toMatchObject({ attempt: 3, delivery: 'retry' });
    await expect.poll(() => cluster.b.records).toEqual([expect.objectContaining({ attempt: 2, delivery: 'dropped' })]);
  });

  it('continues a conversation across instances: turn 2 on B sends the history of turn 1 on A', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    cluster.fake.script([{ reply: '你好，小明！' }, { reply: '你叫小明。' }]);

    expect((await cluster.send('我叫小明', { user, route: ['A'] })).userSees).toBe('你好，小明！');
    expect((await cluster.send('我叫什么名字？', { user, route: ['B'] })).userSees).toBe('你叫小明。');

    expect(turnsOf(cluster.chatRequests()[1])).toEqual([
      'user: 我叫小明',
      'assistant: 你好，小明！',
      'user: 我叫什么名字？',
    ]);
    expect(cluster.a.records.map((r) => r.source)).toEqual(['llm']);
    expect(cluster.b.records.map((r) => r.source)).toEqual(['llm']);
  });

  it('the continue word on B fetches an answer deferred on A, waiting for it across instances', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    cluster.fake.script({ reply: '终于想好了', latencyMs: 1800 });

    const first = await cluster.send('很难的问题', { user, route: ['A'] });
    expect(outcomes(first)).toEqual(['timeout', 'timeout', 'reply']);
    expect(first.userSees).toBe(defaultTexts.thinking);
    // The answer is still being produced on A: B's continue waits for it (woken through Redis), then takes it.
    const more = await cluster.send('继续', { user, route: ['B'] });

    expect(more.userSees).toBe('终于想好了');
    expect(cluster.chatRequests()).toHaveLength(1);
    expect(cluster.b.records.at(-1)).toMatchObject({ source: 'continue' });
    expect(await cluster.b.store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
    expect((await cluster.send('继续', { user, route: ['A'] })).userSees).toBe(defaultTexts.nothingPending);
  });

  it('an instance stopped while answering still stores the answer; the other gives it to the retry', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    cluster.fake.script({ reply: '停机也没丢的回答', latencyMs: 700 });

    const sending = cluster.send('问题', { user, route: ['A', 'B', 'B'] });
    await expect.poll(() => cluster.chatRequests().length).toBe(1);
    await cluster.a.stop();
    const result = await sending;

    // WeChat saw A's connection cut and retried on B, which answered once A's drained answer reached Redis.
    expect(result.attempts[0]).toMatchObject({ outcome: 'error' });
    expect(outcomes(result).at(-1)).toBe('reply');
    expect(result.userSees).toBe('停机也没丢的回答');
    expect(cluster.a.gpt.bot.inFlight).toBe(0);
    expect(cluster.b.records.at(-1)).toMatchObject({ delivery: 'retry', replyPreview: '停机也没丢的回答' });
    expect(cluster.chatRequests()).toHaveLength(1);
  });

  it('an instance stopped while answering past the last attempt: the answer waits in Redis for the next message on B', async () => {
    const cluster = await twoInstances();
    const user = newUser();
    cluster.fake.script({ reply: '等你下一条消息的回答', latencyMs: 1500 });

    const sending = cluster.send('慢问题', { user, route: ['A', 'B', 'B'] });
    await expect.poll(() => cluster.chatRequests().length).toBe(1);
    const stopping = cluster.a.stop();
    const result = await sending;
    expect(result.userSees).toBe(defaultTexts.thinking);
    expect(cluster.b.records.at(-1)).toMatchObject({ attempt: 3, delivery: 'outbox' });
    // Stopping returns once the drained answer is stored: in the user's outbox, since B already gave the notice.
    await stopping;
    expect(await cluster.b.store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 1 });

    cluster.fake.script({ reply: '新问题的回答' });
    const next = await cluster.send('另一个问题', { user, route: ['B'] });
    expect(next.userSees).toContain('你之前问的「慢问题」的回答');
    expect(next.userSees).toContain('等你下一条消息的回答');
    expect(next.userSees).toContain('新问题的回答');
    expect(cluster.chatRequests()).toHaveLength(2);
  });
});

describe('Redis outages under two running instances', () => {
  it('Redis frozen: the model still answers (HTTP 200, no error page), /healthz degraded; thawed: the outbox kept', async () => {
    const redis = await privateRedis();
    // Redis's command timeout on the compressed clock (1 s of WeChat's 5 s becomes 100 ms of 500 ms).
    const cluster = await twoInstances({ url: redis.url, commandTimeoutMs: 100 });
    const waiting = newUser();
    const other = newUser();
    await answerIntoOutbox(cluster, waiting, '冻结前的问题', '冻结前想好的回答');

    redis.freeze();
    try {
      for (const route of [['A'], ['B']] satisfies InstanceName[][]) {
        cluster.fake.script({ reply: '冻结时也有回答' });
        const result = await cluster.send('你好', { user: other, route });
        expect(result.problems).toEqual([]);
        expect(result.userSees).toBe('冻结时也有回答');
        expect(result.attempts.at(-1)).toMatchObject({ status: 200, outcome: 'reply' });
      }
      const { status, report } = await cluster.a.health();
      expect(status).toBe(503);
      expect(report).toMatchObject({ status: 'degraded', store: { kind: 'redis', ok: false } });
      expect(report.store.error).toMatch(/Redis ping failed/);
    } finally {
      redis.thaw();
    }

    await expect.poll(async () => (await cluster.b.health()).status, { timeout: 5000 }).toBe(200);
    expect((await cluster.send('继续', { user: waiting, route: ['B'] })).userSees).toBe('冻结前想好的回答');
    cluster.fake.script({ reply: '恢复后的回答' });
    expect((await cluster.send('你好', { user: other, route: ['A'] })).userSees).toBe('恢复后的回答');
    expect(cluster.chatRequests()).toHaveLength(4);
  });

  it('Redis killed and restarted: notices while down, then the same instances reconnect by themselves; persisted state survives', async () => {
    const redis = await privateRedis({ persistent: true });
    const logs: string[] = [];
    const record = (level: string) => (fields: object, message?: string) => {
      if (level !== 'debug') logs.push(`${level} ${message ?? ''} ${JSON.stringify(fields)}`);
    };
    const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    const cluster = await twoInstances({ url: redis.url, logger });
    const user = newUser();
    const other = newUser();
    cluster.fake.script({ reply: '我记住了：蓝色' });
    expect((await cluster.send('我最喜欢蓝色', { user, route: ['A'] })).userSees).toBe('我记住了：蓝色');
    await answerIntoOutbox(cluster, user, '重启前的问题', '重启前想好的回答');

    await redis.stop();
    cluster.fake.script({ reply: '没有 Redis 也回答' });
    const down = await cluster.send('你好', { user: other, route: ['B'] });
    expect(down.attempts).toEqual([expect.objectContaining({ status: 200, outcome: 'reply' })]);
    expect(down.userSees).toBe('没有 Redis 也回答');
    cluster.fake.script({ reply: '没有 Redis 也回答' });
    expect(await cluster.send('你好', { user: other, route: ['A'] })).toMatchObject({ userSees: '没有 Redis 也回答' });
    const { status, report } = await cluster.a.health();
    expect(status).toBe(503);
    expect(report.store).toMatchObject({ kind: 'redis', ok: false });
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warn Redis connection lost; reconnecting/),
        expect.stringMatching(
          /^warn store did not answer in time: answering from this process .*Redis claimAttempt failed/,
        ),
      ]),
    );

    await redis.start();
    await expect.poll(async () => (await cluster.a.health()).status, { timeout: 5000 }).toBe(200);
    await expect.poll(async () => (await cluster.b.health()).status, { timeout: 5000 }).toBe(200);
    expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(/^info Redis connection restored/)]));

    // What was answered before the outage is still there: the waiting answer, and the conversation.
    expect((await cluster.send('继续', { user, route: ['B'] })).userSees).toBe('重启前想好的回答');
    cluster.fake.script({ reply: '你喜欢蓝色' });
    expect((await cluster.send('我喜欢什么颜色？', { user, route: ['B'] })).userSees).toBe('你喜欢蓝色');
    expect(turnsOf(cluster.chatRequests().at(-1))).toEqual([
      'user: 我最喜欢蓝色',
      'assistant: 我记住了：蓝色',
      'user: 重启前的问题',
      'assistant: 重启前想好的回答',
      'user: 我喜欢什么颜色？',
    ]);
    // Both subscribers are back: a retry on B is woken by A's completion.
    cluster.fake.script({ reply: '重启后跨实例的回答', latencyMs: 700 });
    const retried = await cluster.send('慢问题', { user: other, route: ['A', 'B'] });
    expect(outcomes(retried)).toEqual(['timeout', 'reply']);
    expect(retried.userSees).toBe('重启后跨实例的回答');
    expect(cluster.chatRequests()).toHaveLength(6);
  });
});

describe('the access_token across instances', () => {
  const appId = 'wx1234567890abcdef';
  const appSecret = 'app-secret-0123456789abcdef0123456';
  const STABLE = '/cgi-bin/stable_token';

  it('two instances with their own Redis connections fetch it once, and refresh it once', async () => {
    let clock = 1_000_000;
    const fake = await startFakeWechatApi({ appId, appSecret, now: () => clock });
    const keyPrefix = uniquePrefix();
    const stores = await Promise.all([1, 2].map(() => createRedisStore({ url: sharedRedis(), keyPrefix })));
    try {
      const [a, b] = stores.map((store) =>
        createWechatApi({ appId, appSecret, apiBase: fake.url, store, now: () => clock, lockPollMs: 10 }),
      ) as [WechatApi, WechatApi];
      const together = async () => {
        const tokens = await Promise.all([1, 2, 3, 4, 5].flatMap(() => [a.getAccessToken(), b.getAccessToken()]));
        return [...new Set(tokens)];
      };

      const [first, ...others] = await together();
      expect(others).toEqual([]);
      expect(fake.callsTo(STABLE)).toHaveLength(1);

      // At the refresh point (300 s before expiry) one instance asks again; WeChat hands back the same stable token.
      clock += 7_200_000 - 300_000;
      expect(await together()).toEqual([first]);
      expect(fake.callsTo(STABLE)).toHaveLength(2);

      // Once it has expired, one instance fetches the new one and the other uses it.
      clock += 300_000;
      const renewed = await together();
      expect(renewed).toHaveLength(1);
      expect(renewed).not.toEqual([first]);
      expect(fake.callsTo(STABLE)).toHaveLength(3);
      expect(fake.tokenIssued).toBe(2);
      expect(fake.callsTo(STABLE).map((call) => (call.body as { force_refresh: boolean }).force_refresh)).toEqual([
        false,
        false,
        false,
      ]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await fake.close();
    }
  });
});

describe('an outage at the moment an answer is finished', () => {
  it('still gets the promised answer to the outbox once Redis is back', async () => {
    const redis = await privateRedis();
    const cluster = await twoInstances({ url: redis.url, commandTimeoutMs: 100 });
    const user = newUser();
    cluster.fake.script({ reply: '停电时想好的回答', latencyMs: 1500 });
    expect((await cluster.send('问题', { user, route: ['A'] })).userSees).toBe(defaultTexts.thinking);
    redis.freeze(); // the model answers at ~1.5 s, while Redis is frozen
    await new Promise((resolve) => setTimeout(resolve, 800));
    redis.thaw();
    await expect
      .poll(() => cluster.b.store.summarizeOutbox(user), { timeout: 5000 })
      .toEqual({ unseenAnswers: 1, pages: 1 });
    expect((await cluster.send('继续', { user, route: ['B'] })).userSees).toBe('停电时想好的回答');
  });
});
