// `serve --tunnel none --port 0 --json` with the fake LLM, and `simulate` / `verify` against it: all spawned binaries.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/cli/commands/verify.js';
import type { SimulateReport } from '../../src/cli/simulate/report.js';
import { defaultTexts } from '../../src/config.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { runCli, tempDir } from './run-cli.js';
import { type RunningCli, startCli } from './spawn-cli.js';

const TOKEN = 'serveTestToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const API_KEY = 'sk-serve-test-key-0001';
/** WeChat's 5 s at a fifth: the config file's timing, which simulate reads too (so it drops at 1 s). */
const TIMING = { wechatTimeoutMs: 1000, replyBudgetMs: 900 };

const dir = tempDir();
let fake: FakeOpenAI;
let serve: RunningCli;
let ready: Record<string, unknown>;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: API_KEY, defaultBehaviour: { reply: '你好，我是测试机器人。' } });
  writeFileSync(join(dir.path, 'wechat-gpt.config.json'), JSON.stringify({ timing: TIMING }));
  env = {
    WECHAT_TOKEN: TOKEN,
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_APP_ID: APP_ID,
    OPENAI_API_KEY: API_KEY,
    OPENAI_BASE_URL: fake.url,
    OPENAI_MODEL: 'test-model',
  };
  serve = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json'], { cwd: dir.path, env });
  ready = JSON.parse(await serve.waitForLine((line) => line.startsWith('{'))) as Record<string, unknown>;
});

afterAll(async () => {
  serve?.kill('SIGKILL');
  await fake?.close();
  dir.remove();
});

const url = () => ready.url as string;

async function simulate(args: string[], extraEnv: Record<string, string> = {}) {
  const run = await runCli(['simulate', '--url', url(), '--json', ...args], {
    cwd: dir.path,
    env: { ...env, ...extraEnv },
  });
  return { ...run, report: JSON.parse(run.stdout) as SimulateReport };
}

/** The serve output's message events so far. */
function messages(): Array<Record<string, unknown>> {
  return serve.stdout
    .split('\n')
    .filter((line) => line.startsWith('{"event":"message"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('serve --json with simulate and verify against it', () => {
  it('prints the ready line first, exactly as documented, and the missing-tunnel state', () => {
    const first = serve.stdout.split('\n')[0] ?? '';
    expect(first).toMatch(
      /^\{"event":"ready","url":"http:\/\/127\.0\.0\.1:\d+\/wechat","publicUrl":null,"token":"serveTestToken42","aesKey":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG","mode":"safe",/,
    );
    expect(ready).toMatchObject({ tunnel: 'none', model: 'test-model', baseUrl: fake.url, store: 'memory' });
    expect(ready.delivery).toBe('passive');
    // Nothing was missing but the tunnel was turned off on purpose: no warnings.
    expect(serve.stderr).not.toContain('OPENAI_API_KEY is not set');
    expect(serve.stderr).not.toContain('NGROK_AUTHTOKEN is not set');
  });

  for (const mode of ['plain', 'compat', 'safe'] as const) {
    it(`answers a text in ${mode} mode, checked the way WeChat checks it`, async () => {
      fake.script({ reply: `answer in ${mode}` });
      const { code, report } = await simulate(['--mode', mode, `hello ${mode}`]);
      expect(report.problems).toEqual([]);
      expect(code).toBe(0);
      expect(report).toMatchObject({ ok: true, mode, userSees: `answer in ${mode}` });
      expect(report.reply).toMatchObject({ type: 'text', content: `answer in ${mode}` });
      await serve.waitForLine((line) => line.includes(`"preview":"hello ${mode}"`));
    });
  }

  it('defaults to 安全模式 when the AES key and AppID are configured', async () => {
    const { code, report } = await simulate(['你好']);
    expect(code).toBe(0);
    expect(report.mode).toBe('safe');
    expect(report.userSees).toBe('你好，我是测试机器人。');
  });

  it('answers an image (the model sees the picture) and the subscribe event (the welcome text)', async () => {
    const before = fake.requests.length;
    const image = await simulate(['--type', 'image', '--pic-url', 'https://example.com/cat.jpg']);
    expect(image.code).toBe(0);
    expect(image.report.userSees).toBe('你好，我是测试机器人。');
    expect(JSON.stringify(fake.requests.slice(before).map((r) => r.body))).toContain('https://example.com/cat.jpg');

    const welcome = await simulate(['--event', 'subscribe']);
    expect(welcome.code).toBe(0);
    expect(welcome.report.userSees).toBe(defaultTexts.welcome);
    const line = await serve.waitForLine((l) => l.includes('"type":"event:subscribe"'));
    expect(JSON.parse(line)).toMatchObject({ event: 'message', replyType: 'text', delivery: 'passive', attempt: 1 });
  });

  it('a slow answer: WeChat drops attempt 1 at its timeout, attempt 2 (same MsgId) gets the answer', async () => {
    fake.script({ reply: '想了一会儿', latencyMs: 1500 });
    const { code, report } = await simulate(['慢慢想']);
    expect(code).toBe(0);
    expect(report.attempts.map((a) => a.outcome)).toEqual(['timeout', 'reply']);
    expect(report.userSees).toBe('想了一会儿');
    // One line per attempt: the first was dropped by WeChat, the second carried the answer.
    const line = await serve.waitForLine((l) => l.includes('"preview":"慢慢想"') && l.includes('"attempt":2'));
    expect(JSON.parse(line)).toMatchObject({ delivery: 'retry', replyPreview: '想了一会儿' });
    const dropped = await serve.waitForLine((l) => l.includes('"preview":"慢慢想"') && l.includes('"attempt":1'));
    expect(JSON.parse(dropped)).toMatchObject({ delivery: 'dropped' });
    expect(messages().every((m) => typeof m.latencyMs === 'number' && typeof m.time === 'string')).toBe(true);
  });

  it('simulate prints bubbles and attempts for people', async () => {
    const run = await runCli(['simulate', '--url', url(), '在吗'], { cwd: dir.path, env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('│ 在吗');
    expect(run.stdout).toContain('│ 你好，我是测试机器人。');
    expect(run.stdout).toMatch(/attempt 1\s+\d+\.\d\d s\s+HTTP 200 text reply/);
    expect(run.stdout).toContain('✔ WeChat shows this reply');
  });

  it('chats as one user with --interactive (piped): multi-turn memory, an event, an image, /reset', async () => {
    fake.script([{ reply: '第一轮回答' }, { reply: '第二轮回答' }]);
    const before = fake.requests.length;
    const input = ['记住：我叫小明', '我叫什么？', '/event subscribe', '/image https://example.com/dog.png', '/reset'];
    const run = await runCli(['simulate', '--url', url(), '--interactive', '--user', 'oReplUser000000000000000001'], {
      cwd: dir.path,
      env,
      input: `${input.join('\n')}\n/quit\n`,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('you › 记住：我叫小明');
    expect(run.stdout).toContain('│ 第一轮回答');
    expect(run.stdout).toContain('│ 第二轮回答');
    expect(run.stdout).toContain('│ 感谢关注');
    expect(run.stdout).toContain(defaultTexts.reset);
    // The second question went to the model with the first turn in its history.
    const second = JSON.stringify(fake.requests[before + 1]?.body);
    expect(second).toContain('记住：我叫小明');
    expect(second).toContain('第一轮回答');
  });

  it('verify passes with the same Token, and fails with the reason when it differs', async () => {
    const pass = await runCli(['verify', '--url', url(), '--json'], { cwd: dir.path, env });
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout) as VerifyReport).toMatchObject({ ok: true, status: 200, tokenSource: 'env' });

    const text = await runCli(['verify', '--url', url()], { cwd: dir.path, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('✔');

    const fail = await runCli(['verify', '--url', url()], {
      cwd: dir.path,
      env: { ...env, WECHAT_TOKEN: 'otherToken7' },
    });
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('signature mismatch: the Token in 服务器配置 differs from WECHAT_TOKEN');
    expect(fail.stderr).toContain('error:');
  });

  it('simulate with the wrong Token: the webhook refuses it, so WeChat would show its error page (exit 1)', async () => {
    const { code, report, stderr } = await simulate(['--mode', 'plain', 'hi'], { WECHAT_TOKEN: 'otherToken7' });
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.problems.join(' ')).toContain('HTTP status 401');
    expect(stderr).toContain('该公众号暂时无法提供服务');
  });

  // Last: it stops the shared server.
  it('SIGTERM answers the held attempt at once, keeps the answer finished during the drain, and a restart delivers it', async () => {
    fake.script({ reply: '最后一个回答', latencyMs: 1200 });
    // Chat requests only: serve's start-up check lists the models (GET /v1/models) too.
    const chats = () => fake.requests.filter((r) => r.endpoint === 'chat').length;
    const calls = chats();
    const user = 'oRestartUser0001';
    const pending = runCli(
      ['simulate', '--url', url(), '--json', '--no-retry', '--timeout', '5000', '--user', user, '最后一个'],
      { cwd: dir.path, env },
    );
    while (chats() === calls) await new Promise((resolve) => setTimeout(resolve, 20));
    serve.kill('SIGTERM');
    const [run, exit] = await Promise.all([pending, serve.exited()]);
    expect(JSON.parse(run.stdout) as SimulateReport).toMatchObject({ ok: true, userSees: defaultTexts.thinking });
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('Stopping');
    expect(exit.stderr).not.toContain('closing the tunnel'); // --tunnel none: there is none
    expect(exit.stderr).toContain('Saved the waiting answers of 1 user for the next start.');
    expect(exit.stderr).toContain('Stopped.');
    expect(messages().at(-1)).toMatchObject({ preview: '最后一个', delivery: 'outbox' });

    // The next start reads them back: 继续 gets the answer.
    const again = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json'], { cwd: dir.path, env });
    try {
      const next = JSON.parse(await again.waitForLine((line) => line.startsWith('{'))) as Record<string, unknown>;
      await again.waitForStderr('Restored the waiting answers of 1 user.');
      const fetched = await runCli(['simulate', '--url', next.url as string, '--json', '--user', user, '继续'], {
        cwd: dir.path,
        env,
      });
      expect(JSON.parse(fetched.stdout) as SimulateReport).toMatchObject({ ok: true, userSees: '最后一个回答' });
      expect(chats()).toBe(calls + 1);
    } finally {
      again.kill('SIGKILL');
    }
  });
});
