// `simulate` and `verify` against broken webhooks (tiny loopback servers), and their usage errors: spawned binaries.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/cli/commands/verify.js';
import type { SimulateReport } from '../../src/cli/simulate/report.js';
import { ERROR_PAGE_TEXT } from '../../src/simulator/judge.js';
import { AES_KEY, APP_ID, correctWebhook, send, startServer, type TestServer, TOKEN } from '../simulator/servers.js';
import { runCli, tempDir } from './run-cli.js';

const dir = tempDir();
afterAll(() => dir.remove());
const env = { WECHAT_TOKEN: TOKEN, WECHAT_AES_KEY: AES_KEY, WECHAT_APP_ID: APP_ID };
const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { cwd: dir.path, env: { ...env, ...extra } });

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
/** A port nothing listens on (fetch refuses well-known ports such as 1 outright). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
async function serve(handler: Parameters<typeof startServer>[0]) {
  server = await startServer(handler);
  return server.url;
}

describe('simulate against a broken webhook: exit 1 and why', () => {
  it('HTTP 500', async () => {
    const url = await serve((_req, res) => send(res, 500, 'Internal Server Error'));
    const run = await cli(['simulate', '--url', url, '你好']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout, run.stderr).toContain(`│ ${ERROR_PAGE_TEXT}`);
    expect(run.stdout).toContain('✖ WeChat shows its error page');
    expect(run.stdout).toContain('• HTTP status 500: WeChat needs 200');
    expect(run.stderr).toContain('error: WeChat would show "该公众号暂时无法提供服务" (1 problem, listed above).');
  });

  it('garbage instead of XML, and a plaintext reply to an encrypted (安全模式) message', async () => {
    const url = await serve((_req, res) => send(res, 200, 'hello, I am not XML'));
    const run = await cli(['simulate', '--url', url, '--json', '--mode', 'plain', '你好']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as SimulateReport;
    expect(report).toMatchObject({ ok: false, userSees: ERROR_PAGE_TEXT });
    expect(report.problems.join('\n')).toContain('not a valid WeChat reply');

    await server?.close();
    const plain = await serve((req, res) => {
      const to = /<FromUserName><!\[CDATA\[(.*?)\]\]>/.exec(req.body)?.[1] ?? '';
      send(
        res,
        200,
        `<xml><ToUserName>${to}</ToUserName><FromUserName>gh_x</FromUserName><CreateTime>1</CreateTime></xml>`,
      );
    });
    const safe = await cli(['simulate', '--url', plain, '--json', '你好']);
    expect(safe.code).toBe(1);
    expect((JSON.parse(safe.stdout) as SimulateReport).problems.join('\n')).toContain(
      '安全模式 request, plaintext reply',
    );
  });

  it('a webhook that never answers: 3 attempts dropped at the timeout (--no-retry: one)', async () => {
    const url = await serve(() => {});
    const run = await cli(['simulate', '--url', url, '--json', '--timeout', '200', '你好']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as SimulateReport;
    expect(report.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(report.problems[0]).toContain('No answer within 200 ms on 3 attempts');

    const once = await cli(['simulate', '--url', url, '--json', '--timeout', '200', '--no-retry', '你好']);
    expect((JSON.parse(once.stdout) as SimulateReport).attempts).toHaveLength(1);
  });

  it('nothing listening at the local URL of the config: says to start serve', async () => {
    const port = await closedPort();
    writeFileSync(join(dir.path, 'wechat-gpt.config.json'), JSON.stringify({ serve: { port } }));
    try {
      const run = await cli(['simulate', '你好']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('could not connect (ECONNREFUSED)');
      expect(run.stderr).toContain(
        `Nothing answers at http://127.0.0.1:${port}/wechat: start \`npx wechat-gpt serve\``,
      );
    } finally {
      writeFileSync(join(dir.path, 'wechat-gpt.config.json'), '{}');
    }
  });

  it('a correct webhook: success shows nothing (exit 0); every event and type is sent the way WeChat sends it', async () => {
    const seen: string[] = [];
    const url = await serve(
      correctWebhook((message) => {
        seen.push(message.type === 'event' ? `event:${message.event}` : message.type);
        return message.type === 'event' && message.event === 'CLICK'
          ? { type: 'text', content: `menu ${message.key}` }
          : { type: 'success' };
      }),
    );
    const click = await cli(['simulate', '--url', url, '--event', 'click', '--key', 'MENU_HELP', '--json']);
    expect(click.code).toBe(0);
    expect((JSON.parse(click.stdout) as SimulateReport).userSees).toBe('menu MENU_HELP');

    const quiet = await cli(['simulate', '--url', url, '--type', 'voice', '--recognition', '你好']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain('WeChat shows nothing and stops retrying');
    for (const args of [
      ['--type', 'location'],
      ['--type', 'video'],
      ['--type', 'link', 'A title'],
      ['--event', 'SCAN', '--key', '42'],
    ]) {
      expect((await cli(['simulate', '--url', url, '--mode', 'compat', ...args])).code).toBe(0);
    }
    expect(seen).toEqual(['event:CLICK', 'voice', 'location', 'video', 'link', 'event:SCAN']);
  });
});

describe('simulate and verify usage errors: exit 2', () => {
  it('a wrong --type, a text message without text, --event without --key where one is needed', async () => {
    const type = await cli(['simulate', '--url', 'http://127.0.0.1:9/wechat', '--type', 'sticker', 'x']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain("argument 'sticker' is invalid");
    const empty = await cli(['simulate', '--url', 'http://127.0.0.1:9/wechat']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('A text message needs its text');
    const click = await cli(['simulate', '--url', 'http://127.0.0.1:9/wechat', '--event', 'CLICK']);
    expect(click.code).toBe(2);
    expect(click.stderr).toContain('--event CLICK needs --key');
  });

  it('--mode safe without the AppID, no Token anywhere, and port 0 without --url', async () => {
    const safe = await cli(['simulate', '--url', 'http://127.0.0.1:9/wechat', '--mode', 'safe', 'x'], {
      WECHAT_APP_ID: '',
    });
    expect(safe.code).toBe(2);
    expect(safe.stderr).toContain('safe mode encrypts messages for an AppID');

    const cwd = join(dir.path, 'empty');
    mkdirSync(cwd, { recursive: true });
    const none = await runCli(['verify'], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No Token');
    const zero = await runCli(['simulate', '--port', '0', 'x'], { cwd, env });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('Pass --url');
  });
});

describe('verify', () => {
  it('fails with the reason: a server that does not echo echostr, and one that cannot be reached', async () => {
    const url = await serve((_req, res) => send(res, 200, 'ok'));
    const run = await cli(['verify', '--url', url, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as VerifyReport;
    expect(report).toMatchObject({ ok: false, status: 200 });
    expect(report.reason).toMatch(/Answered "ok" instead of echostr \d+, unchanged/);

    const port = await closedPort();
    const down = await cli(['verify', '--url', `http://127.0.0.1:${port}/wechat`]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain(`✖ http://127.0.0.1:${port}/wechat fails the 服务器配置 check`);
    expect(down.stdout).toContain('Could not connect (ECONNREFUSED)');
  });

  it('passes against a correct webhook signed with the Token from .env', async () => {
    const url = await serve(correctWebhook(() => ({ type: 'success' })));
    const cwd = join(dir.path, 'dotenv');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, '.env'), `WECHAT_TOKEN=${TOKEN}\n`, { mode: 0o600 });
    const run = await runCli(['verify', '--url', url], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('passes the 服务器配置 check (HTTP 200');
    expect(run.stdout).toContain('Signed with WECHAT_TOKEN in .env');
  });
});
