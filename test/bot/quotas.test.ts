/**
 * Access lists and daily quotas. On the engine's fake clock (memory store): the message limit, admins, block and allow
 * lists, and the reset at local midnight. Then two instances of the bot sharing one real redis-server: a user over the
 * daily limit gets the limit text and no model call whichever instance answers, the token budget counts the model's
 * reported usage, admins pass, and `wechat-gpt users` lists the day's heaviest users from that Redis.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/bot/clock.js';
import { createStorePatience } from '../../src/bot/store-patience.js';
import { resolveConfig } from '../../src/config.js';
import { createWechatGpt, type WechatGpt } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { createQuotas, localDay, messagesTally, tokensTally } from '../../src/quota/index.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { createRedisStore } from '../../src/store/redis.js';
import type { Store } from '../../src/store/types.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { runCli, tempDir } from '../cli/run-cli.js';
import { type RedisProcess, startRedisProcess } from '../store/redis-process.js';
import { type Engine, engineForEachTest } from '../support/engine.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

const LIMIT_TEXT = '今天的提问次数已经用完了（每天 2 次），明天再来吧～';

describe('quotas and access on the engine (fake clock, memory store)', () => {
  let engine: Engine;
  engineForEachTest(
    (current) => {
      engine = current;
    },
    {
      config: {
        quotas: { messagesPerDay: 2, timeZone: 'Asia/Shanghai' },
        access: { admins: ['oAdmin'], blocked: ['oBlocked'] },
      },
    },
  );

  it('answers two questions a day, then the limit text without calling the model', async () => {
    expect((await engine.send('q1')).userSees).toBe('answer:q1');
    expect((await engine.send('q2')).userSees).toBe('answer:q2');
    const third = await engine.send('q3');
    expect(third.userSees).toBe(LIMIT_TEXT);
    expect(third.attempts[0]).toMatchObject({ source: 'quota' });
    expect(engine.model.questions).toEqual(['q1', 'q2']);
    // A drawing is a question too.
    expect((await engine.send('/画 一只猫')).userSees).toBe(LIMIT_TEXT);
    // Keywords, commands and other users are not held back.
    expect((await engine.send('帮助')).userSees).toMatch(/指令/);
    expect((await engine.send('q4', { user: 'oSomeoneElse' })).userSees).toBe('answer:q4');
  });

  it('starts a new day at local midnight (Asia/Shanghai), not at UTC midnight', async () => {
    // EPOCH is 16:00 in Shanghai: 7 h 59 min later it is 23:59 there.
    await engine.send('a1');
    await engine.send('a2');
    vi.setSystemTime(Date.now() + (7 * 60 + 59) * 60_000);
    expect((await engine.send('a3')).userSees).toBe(LIMIT_TEXT);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect(localDay(Date.now(), 'Asia/Shanghai')).toBe('2026-06-02');
    expect((await engine.send('a4')).userSees).toBe('answer:a4');
  });

  it('lets admins past every limit, and refuses blocked users before the model', async () => {
    for (const q of ['b1', 'b2', 'b3', 'b4']) {
      expect((await engine.send(q, { user: 'oAdmin' })).userSees).toBe(`answer:${q}`);
    }
    expect((await engine.send('hello', { user: 'oBlocked' })).userSees).toBe('抱歉，你暂时无法使用 AI 问答。');
    expect(engine.model.questions).toEqual(['b1', 'b2', 'b3', 'b4']);
  });
});

describe('an allow list', () => {
  let engine: Engine;
  engineForEachTest(
    (current) => {
      engine = current;
    },
    { config: { access: { allowed: ['oInvited'] } } },
  );

  it('lets only the listed users reach the model', async () => {
    expect((await engine.send('hi', { user: 'oInvited' })).userSees).toBe('answer:hi');
    expect((await engine.send('hi', { user: 'oStranger' })).userSees).toBe('AI 问答目前只对受邀用户开放。');
    expect(engine.model.questions).toEqual(['hi']);
  });
});

describe('counting without a limit', () => {
  let engine: Engine;
  engineForEachTest((current) => {
    engine = current;
  });

  it('keeps no tally in the memory store (nobody outside the process could read it)', async () => {
    expect((await engine.send('hi')).userSees).toBe('answer:hi');
    const day = localDay(Date.now(), 'Asia/Shanghai');
    expect(await engine.store.topOfTally(messagesTally(day), 10)).toEqual([]);
    expect(await engine.store.topOfTally(tokensTally(day), 10)).toEqual([]);
  });
});

describe('quotas with nothing to decide', () => {
  const quotasFor = (
    settings: Omit<Parameters<typeof resolveConfig>[0], 'wechat'>,
    store: Store = createMemoryStore(),
  ) =>
    createQuotas({
      config: resolveConfig({ ...settings, wechat: { token: 'quotaToken1' } }),
      store,
      clock: systemClock,
      patience: createStorePatience(systemClock),
      logger: silentLogger,
    });

  it('are open (the model step skips them) only with no list, no limit and a store nobody else reads', () => {
    expect(quotasFor({}).open).toBe(true);
    expect(quotasFor({ quotas: { messagesPerDay: 5 } }).open).toBe(false);
    expect(quotasFor({ quotas: { tokensPerDay: 500 } }).open).toBe(false);
    expect(quotasFor({ access: { blocked: ['oBlocked'] } }).open).toBe(false);
    expect(quotasFor({ access: { allowed: ['oAllowed'] } }).open).toBe(false);
    const shared: Store = Object.assign(Object.create(createMemoryStore()) as Store, { kind: 'redis' });
    expect(quotasFor({}, shared).open).toBe(false);
  });
});

describe('two instances sharing one redis-server', () => {
  let redis: RedisProcess;
  let fake: FakeOpenAI;
  const gpts: WechatGpt[] = [];
  const stores: Store[] = [];
  let ids = 8_100_000_000_000_000_000n;

  beforeAll(async () => {
    redis = await startRedisProcess();
    fake = await startFakeOpenAI({ apiKey: 'sk-test' });
    fake.setDefault({ reply: '好的' });
    for (let i = 0; i < 2; i++) {
      const store = await createRedisStore({ url: redis.url, logger: silentLogger });
      stores.push(store);
      gpts.push(
        createWechatGpt({
          logger: silentLogger,
          store,
          wechat: { token: 'quotaToken1' },
          llm: { apiKey: 'sk-test', baseUrl: fake.url, model: 'test-model', maxRetries: 0 },
          quotas: { messagesPerDay: 2, tokensPerDay: 500 },
          access: { admins: ['oAdminR'] },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const gpt of gpts) await gpt.close({ drainMs: 1000 });
    await Promise.all(stores.map((store) => store.close()));
    await fake.close();
    await redis.dispose();
  });

  /** One message answered by instance n (0 or 1): what the user sees. */
  async function ask(n: number, user: string, content: string): Promise<string> {
    const message = {
      type: 'text',
      content,
      fromUser: user,
      toUser: 'gh_quota',
      createTime: Math.floor(Date.now() / 1000),
      msgId: String(++ids),
    } as InboundMessage;
    const outcome = await gpts[n]!.bot.respond(message);
    return outcome.reply?.type === 'text' ? outcome.reply.content : '';
  }
  const chatCalls = () => fake.requests.filter((request) => request.endpoint === 'chat').length;

  it('counts a user’s questions on both instances: the third gets the limit text and no model call', async () => {
    const before = chatCalls();
    expect(await ask(0, 'oHeavy', '一')).toBe('好的');
    expect(await ask(1, 'oHeavy', '二')).toBe('好的');
    expect(await ask(0, 'oHeavy', '三')).toBe(LIMIT_TEXT);
    expect(await ask(1, 'oHeavy', '四')).toBe(LIMIT_TEXT);
    expect(chatCalls() - before).toBe(2);
  });

  it('refuses once the day’s tokens (the model’s reported usage) are spent, on the other instance too', async () => {
    const before = chatCalls();
    // The fake model reports the prompt's length as its tokens: this question alone spends the 500.
    expect(await ask(0, 'oTokens', '长'.repeat(600))).toBe('好的');
    expect(await ask(1, 'oTokens', '短')).toBe('今天的 AI 额度已经用完了，明天再来吧～');
    expect(chatCalls() - before).toBe(1);
  });

  it('lets an admin past the limit on either instance', async () => {
    for (let i = 0; i < 4; i++) expect(await ask(i % 2, 'oAdminR', `问题${i}`)).toBe('好的');
  });

  it('lists the day’s heaviest users with `wechat-gpt users`, from the shared Redis', async () => {
    await ask(1, 'oLight', '你好');
    const dir = tempDir();
    writeFileSync(
      join(dir.path, 'wechat-gpt.config.json'),
      JSON.stringify({ access: { admins: ['oAdminR'] }, quotas: { messagesPerDay: 2, tokensPerDay: 500 } }),
    );
    try {
      const run = await runCli(['users', '--json'], { cwd: dir.path, env: { REDIS_URL: redis.url } });
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as {
        day: string;
        users: { openid: string; messages: number; tokens: number }[];
      };
      expect(report.day).toBe(localDay(Date.now(), 'Asia/Shanghai'));
      const byId = Object.fromEntries(report.users.map((user) => [user.openid, user]));
      // Refused questions count too: they are what an abuser sends.
      expect(byId.oHeavy).toMatchObject({ messages: 4 });
      expect(byId.oHeavy!.tokens).toBeGreaterThan(0);
      expect(byId.oAdminR).toMatchObject({ messages: 4 });
      expect(byId.oLight).toMatchObject({ messages: 1 });
      const text = await runCli(['users'], { cwd: dir.path, env: { REDIS_URL: redis.url } });
      expect(text.stdout).toMatch(/Heaviest users on \d{4}-\d{2}-\d{2}/);
      expect(text.stdout).toMatch(/limits: 2 questions a day, 500 tokens a day/);
      expect(text.stdout).toMatch(/oAdminR\s+4\s+\d+ admin/);
      expect(text.stdout).toMatch(/oHeavy\s+4\s+\d+ at limit/);
    } finally {
      dir.remove();
    }
  });

  it('without Redis, says where the counts live and exits 2', async () => {
    const dir = tempDir();
    try {
      const run = await runCli(['users'], { cwd: dir.path });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/serve\.redisUrl is not set/);
    } finally {
      dir.remove();
    }
  });
});
