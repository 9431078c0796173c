// How `serve` starts and stops in each setup: nothing configured, tunnels (fake and real ngrok offline), errors, Redis.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { SimulateReport } from '../../src/cli/simulate/report.js';
import { defaultTexts } from '../../src/config.js';
import { deliver } from '../../src/simulator/index.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { startFakeOpenAI } from '../support/fake-openai.js';
import { runCli, tempDir } from './run-cli.js';
import { BIN, type RunningCli, startCli } from './spawn-cli.js';

const dirs: Array<{ remove: () => void }> = [];
const running: RunningCli[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) cli.kill('SIGKILL');
  for (const dir of dirs.splice(0)) dir.remove();
});
function folder() {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}
/** What people see: a pipe is not a terminal, where serve would log JSON lines (test/cli/serve-logs.test.ts). */
const PRETTY = { LOG_FORMAT: 'pretty' };
function serve(args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string> }) {
  const cli = startCli(['serve', ...args], { cwd, env: { ...PRETTY, ...env } });
  running.push(cli);
  return cli;
}
async function readyOf(cli: RunningCli): Promise<Record<string, unknown>> {
  return JSON.parse(await cli.waitForLine((line) => line.startsWith('{"event":"ready"'))) as Record<string, unknown>;
}

describe('serve with nothing configured', () => {
  it('starts, says what is missing (one line each), answers with the notice, and keeps its Token across restarts', async () => {
    const cwd = folder();
    const first = serve(['--port', '0', '--json'], { cwd });
    const ready = await readyOf(first);
    expect(ready).toMatchObject({ publicUrl: null, mode: 'plain', tunnel: 'none', llmConfigured: false });
    expect(ready.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(ready.aesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    await first.waitForStderr('NGROK_AUTHTOKEN');
    const lines = first.stderr.trim().split('\n');
    expect(lines.find((l) => l.includes('OPENAI_API_KEY is not set'))).toContain('Add OPENAI_API_KEY=sk-… to .env');
    expect(lines.find((l) => l.includes('NGROK_AUTHTOKEN is not set'))).toContain('--public-url');

    const run = await runCli(['simulate', '--url', ready.url as string, '--json', '你好'], { cwd });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as SimulateReport).userSees).toBe(defaultTexts.notConfigured);

    first.kill('SIGINT');
    expect((await first.exited()).code).toBe(0);
    const second = serve(['--port', '0', '--json'], { cwd });
    const again = await readyOf(second);
    expect(again.token).toBe(ready.token);
    expect(again.aesKey).toBe(ready.aesKey);
  });

  it('prints a banner for people: the URL, Token, EncodingAESKey and 消息加解密方式 with where each came from', async () => {
    const cwd = folder();
    const cli = serve(['--port', '0', '--no-tunnel'], {
      cwd,
      env: { WECHAT_TOKEN: 'bannerToken1', WECHAT_APP_ID: 'wx1234567890abcdef', OPENAI_API_KEY: 'sk-banner-0000-1234' },
    });
    await cli.waitForLine((line) => line.includes('Ctrl-C to stop'));
    expect(cli.stdout).toMatch(/URL\s+http:\/\/127\.0\.0\.1:\d+\/wechat\s+\(local only, --tunnel none\)/);
    expect(cli.stdout).toMatch(/Token\s+bannerToken1\s+\(environment\)/);
    expect(cli.stdout).toMatch(/EncodingAESKey\s+[A-Za-z0-9]{43}\s+\(generated now/);
    expect(cli.stdout).toMatch(/消息加解密方式\s+安全模式\s+\(recommended/);
    expect(cli.stdout).toMatch(/Model\s+gpt-4o-mini at https:\/\/api\.openai\.com\/v1/);
    expect(cli.stdout).toMatch(/API key\s+sk-b…1234\s+\(environment\)/);
    expect(cli.stdout).not.toContain('sk-banner-0000-1234');
    expect(cli.stdout).toMatch(
      /Dev console \(this machine only\): http:\/\/127\.0\.0\.1:\d+\/_console\/\?secret=[\w-]{32}\n/,
    );
    // Nothing on stderr but, where api.openai.com is reachable, the start-up check's warning about this made-up key.
    expect(cli.stderr.split('\n').filter((l) => l && !l.startsWith('warning: model:'))).toEqual([]);

    // One line per message, latency and delivery included.
    const url = /http:\/\/127\.0\.0\.1:\d+\/wechat/.exec(cli.stdout)?.[0] as string;
    const env = { WECHAT_TOKEN: 'bannerToken1' };
    expect(
      (await runCli(['simulate', '--url', url, '--mode', 'plain', '--event', 'subscribe'], { cwd, env })).code,
    ).toBe(0);
    const line = await cli.waitForLine((l) => l.includes('event subscribe'));
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d {2}oSimUs…0001\s+event subscribe\s+—\s+→ {2}text 感谢关注.*\d\.\d\d s {2}passive/,
    );
    cli.kill('SIGTERM');
    expect((await cli.exited()).code).toBe(0);
  });
  it("serves the dev console at the ready line's consoleUrl, and not with --no-console", async () => {
    const cwd = folder();
    const ready = await readyOf(serve(['--port', '0', '--no-tunnel', '--json'], { cwd }));
    const consoleUrl = String(ready.consoleUrl);
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_console\/\?secret=[\w-]{32}$/);
    const login = await fetch(consoleUrl, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const page = await fetch(new URL('/_console/', consoleUrl), { headers: { cookie } });
    expect(await page.text()).toContain('wechat-gpt dev console');

    const off = await readyOf(serve(['--port', '0', '--no-tunnel', '--json', '--no-console'], { cwd }));
    expect(off.consoleUrl).toBeNull();
    expect((await fetch(new URL('/_console/', String(off.url)))).status).toBe(404);
  });
  it('--quiet prints only the values for 服务器配置, and no line per message', async () => {
    const cwd = folder();
    const cli = serve(['--port', '0', '--no-tunnel', '--quiet'], { cwd, env: { WECHAT_TOKEN: 'quietToken1' } });
    await cli.waitForLine((line) => line.includes('消息加解密方式'));
    expect(cli.stdout).toMatch(/Token\s+quietToken1/);
    expect(cli.stdout).not.toContain('Model');
    const url = /http:\/\/127\.0\.0\.1:\d+\/wechat/.exec(cli.stdout)?.[0] as string;
    const run = await runCli(['simulate', '--url', url, '--event', 'subscribe'], {
      cwd,
      env: { WECHAT_TOKEN: 'quietToken1' },
    });
    expect(run.code).toBe(0);
    cli.kill('SIGTERM');
    const exit = await cli.exited();
    expect(exit.code).toBe(0);
    expect(exit.stdout).not.toContain('event subscribe');
  });
});

describe('serve with a tunnel', () => {
  it('shows the public URL of the tunnel (a fake one, through the Tunnel interface) and closes it on SIGINT', async () => {
    const cwd = folder();
    const cli = serve(['--port', '0', '--tunnel', 'ngrok'], {
      cwd,
      env: { WECHAT_GPT_FAKE_TUNNEL_URL: 'https://fake.example' },
    });
    await cli.waitForLine((line) => line.includes('Ctrl-C to stop'));
    expect(cli.stdout).toMatch(/URL\s+https:\/\/fake\.example\/wechat\s+\(test tunnel\)/);
    expect(cli.stdout).toContain('npx wechat-gpt verify --url https://fake.example/wechat');
    expect(cli.stderr).not.toContain('NGROK_AUTHTOKEN is not set');
    cli.kill('SIGINT');
    expect((await cli.exited()).code).toBe(0);
  });

  it('takes --public-url as the URL to paste, without a tunnel', async () => {
    const cli = serve(['--port', '0', '--public-url', 'https://bot.example.com', '--json'], { cwd: folder() });
    const ready = await readyOf(cli);
    expect(ready).toMatchObject({ publicUrl: 'https://bot.example.com', pasteUrl: 'https://bot.example.com/wechat' });
    expect(ready.tunnel).toBe('public-url');
  });

  it('does not double the path of a --public-url that has it, and names a port 服务器配置 refuses', async () => {
    const cli = serve(['--port', '0', '--public-url', 'https://bot.example.com:8443/wechat/', '--json'], {
      cwd: folder(),
    });
    const ready = await readyOf(cli);
    expect(ready).toMatchObject({ pasteUrl: 'https://bot.example.com:8443/wechat' });
    await cli.waitForStderr('accepts only URLs on port 80 (http) or 443 (https)');
    expect(cli.stderr).toContain('--public-url already ends with /wechat');
  });

  it('turns ngrok errors into hints and exits 1: a rejected authtoken (ERR_NGROK_4018)', async () => {
    const run = await runCli(['serve', '--port', '0', '--tunnel', 'ngrok'], {
      cwd: folder(),
      env: {
        WECHAT_GPT_FAKE_TUNNEL_ERROR:
          'failed to connect session: authentication failed: Usage of ngrok requires a verified account and authtoken.\n\nERR_NGROK_4018',
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: ngrok rejected the authtoken (ERR_NGROK_4018)');
    expect(run.stderr).toContain('hint: Copy your authtoken again from https://dashboard.ngrok.com');
    expect(run.stdout).toBe('');
  });

  it('with the real @ngrok/ngrok on this offline machine: a clear message and exit 1', async () => {
    const run = await runCli(['serve', '--port', '0', '--tunnel', 'ngrok'], {
      cwd: folder(),
      env: { ...PRETTY, NGROK_AUTHTOKEN: 'bogus' },
      timeoutMs: 20_000,
    });
    expect(run.code).toBe(1);
    // Offline: the servers cannot be reached. Were the machine online, ngrok would refuse the made-up token.
    expect(run.stderr).toMatch(
      /error: (Could not reach ngrok's servers|ngrok rejected the authtoken|ngrok's servers did not answer)/,
    );
    expect(run.stderr).toMatch(/hint: \S/);
    expect(run.stdout).toBe('');
  }, 25_000);

  it('--tunnel ngrok without NGROK_AUTHTOKEN says where to get one (exit 1); a wrong --tunnel value exits 2', async () => {
    const cwd = folder();
    const run = await runCli(['serve', '--port', '0', '--tunnel', 'ngrok'], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('NGROK_AUTHTOKEN is not set');
    expect(run.stderr).toContain('dashboard.ngrok.com/get-started/your-authtoken');

    const wrong = await runCli(['serve', '--tunnel', 'cloudflare'], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Invalid --tunnel: must be auto, ngrok or none (got "cloudflare")');
  });
});

describe('serve stopping', () => {
  it('a second Ctrl-C stops at once, without waiting for the answers in flight, with exit code 130', async () => {
    // A model that never answers: the first Ctrl-C would wait 10 s for it.
    const fake = await startFakeOpenAI({ defaultBehaviour: { stall: true } });
    try {
      const token = 'stopTestToken42';
      const cli = serve(['--port', '0', '--no-tunnel', '--json'], {
        cwd: folder(),
        env: { WECHAT_TOKEN: token, OPENAI_API_KEY: 'sk-stop-test', OPENAI_BASE_URL: fake.url },
      });
      const { url } = (await readyOf(cli)) as { url: string };
      const message = { type: 'text', content: 'wait', fromUser: 'oStopUser0001', toUser: 'gh_0123456789ab' };
      const sent = deliver({ url, token, mode: 'plain', message: message as InboundMessage, attempts: 1 });
      await expect.poll(() => fake.inFlight, { timeout: 10_000 }).toBe(1);
      cli.kill('SIGINT');
      await cli.waitForStderr('Ctrl-C again to stop now');
      cli.kill('SIGINT');
      const { code, stderr } = await cli.exited(8_000);
      expect(code).toBe(130);
      expect(stderr).toContain('Stopped before every answer in flight was finished');
      await sent;
    } finally {
      await fake.close();
    }
  });
});

describe('serve failures', () => {
  it('a port in use: a clear error and exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const run = await runCli(['serve', '--port', String(port), '--host', '127.0.0.1', '--no-tunnel'], {
        cwd: folder(),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: Port ${port} is already in use`);
      expect(run.stderr).toContain('--port 0 for any free one');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  // util-linux `script` gives the CLI a terminal (a pty), as a person running it has.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('on a terminal, shows a spinner while Redis does not answer, then the error', async () => {
    // Accepts connections (the kernel does, even while spawnSync holds this process) and never answers: the connect
    // waits until REDIS_CONNECT_TIMEOUT_MS.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const command = `'${process.execPath}' '${BIN}' serve --port 0 --no-tunnel`;
      const tty = spawnSync('script', ['-qec', command, '/dev/null'], {
        cwd: folder(),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: folder(),
          TERM: 'xterm',
          REDIS_URL: `redis://127.0.0.1:${port}`,
          REDIS_CONNECT_TIMEOUT_MS: '1500',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(tty.status).toBe(1);
      expect(tty.stdout).toContain(`Connecting to Redis at redis://127.0.0.1:${port}…`);
      expect(tty.stdout).toContain('(gives up after 1.50 s)');
      expect(tty.stdout).toContain(`Could not connect to Redis at redis://127.0.0.1:${port} within 1500 ms`);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('REDIS_URL: state in Redis when it answers; a clear error and exit 1 when it does not', async () => {
    const redisUrl = inject('redisUrl');
    expect(redisUrl, 'redis-server is needed for this test (see global-setup)').not.toBe('');
    const cwd = folder();
    const cli = serve(['--port', '0', '--no-tunnel', '--json'], { cwd, env: { REDIS_URL: redisUrl } });
    const ready = await readyOf(cli);
    expect(ready.store).toBe('redis');
    const run = await runCli(['simulate', '--url', ready.url as string, '--event', 'subscribe'], { cwd });
    expect(run.code).toBe(0);
    cli.kill('SIGTERM');
    expect((await cli.exited()).code).toBe(0);

    // The connect timeout is a setting, so this waits 300 ms instead of the default 5 s.
    const down = await runCli(['serve', '--port', '0', '--no-tunnel'], {
      cwd,
      env: { REDIS_URL: 'redis://:secret@127.0.0.1:1', REDIS_CONNECT_TIMEOUT_MS: '300' },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('error: Could not connect to Redis at redis://:***@127.0.0.1:1 within 300 ms');
    expect(down.stderr).toContain('hint: Check that Redis is running');
    expect(down.stderr).not.toContain('secret');
  }, 25_000);

  it('refuses limits.maxReplyBytes: 100 as `config` and the editor schema do (exit 2, nothing started)', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'wechat-gpt.config.json'), JSON.stringify({ limits: { maxReplyBytes: 100 } }));
    const run = await runCli(['serve', '--port', '0', '--no-tunnel'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error: limits.maxReplyBytes in wechat-gpt.config.json must be at least 256 (got 100).',
    );
    expect(run.stdout).toBe('');
  });
});
