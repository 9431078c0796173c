// simulate as a person sees it: attempts printed as they end, --no-retry that does not blame the server, --json
// failures named on stderr, unquoted text, locations by city. Spawned binaries against small loopback webhooks.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SimulateReport } from '../../src/cli/simulate/report.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { AES_KEY, APP_ID, correctWebhook, echo, startServer, type TestServer, TOKEN } from '../simulator/servers.js';
import { ANSI, runCli, tempDir } from './run-cli.js';
import { startCli } from './spawn-cli.js';

const dir = tempDir();
afterAll(() => dir.remove());
const env = { WECHAT_TOKEN: TOKEN, WECHAT_AES_KEY: AES_KEY, WECHAT_APP_ID: APP_ID };
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('simulate shows each attempt as it happens', () => {
  it('prints the dropped attempt 1 while attempt 2 is still waiting; plain lines when not a terminal', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer = correctWebhook(echo);
    let attempts = 0;
    server = await startServer(async (req, res) => {
      attempts++;
      if (attempts === 1) return; // never answers: WeChat drops it at the timeout
      await released;
      await answer(req, res, undefined as never);
    });
    const run = startCli(['simulate', '--url', server.url, '--timeout', '1000', '你好'], { cwd: dir.path, env });
    const line = await run.waitForLine((l) => l.includes('attempt 1'));
    expect(line).toMatch(/attempt 1 +\d\.\d\d s {2}dropped: no answer within 1000 ms — WeChat retries$/);
    // Attempt 2 is held until now, so its line cannot have been printed yet: attempt 1's came while it waited.
    expect(run.stdout).not.toContain('attempt 2');
    release();
    const done = await run.exited();
    expect(done.code, done.stderr).toBe(0);
    // Normally attempt 2 gets the answer; on a very slow machine it may be dropped too and attempt 3 gets it.
    expect(done.stdout).toMatch(/attempt [23] +\d\.\d\d s {2}HTTP 200 text reply/);
    expect(done.stdout).toContain('✔ WeChat shows this reply');
    expect(done.stdout).not.toMatch(ANSI);
    expect(done.stdout).not.toContain('\r');
  });

  it('--no-retry after a held attempt: says WeChat would retry, no error page, exit 0', async () => {
    server = await startServer(() => {});
    const run = await runCli(['simulate', '--url', server.url, '--timeout', '300', '--no-retry', '你好'], {
      cwd: dir.path,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('WeChat would retry now; --no-retry stops here');
    expect(run.stdout).toContain('Not a failure');
    expect(run.stdout).not.toContain('该公众号暂时无法提供服务');

    const json = await runCli(['simulate', '--url', server.url, '--timeout', '300', '--no-retry', '--json', '你好'], {
      cwd: dir.path,
      env,
    });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout) as SimulateReport).toMatchObject({ ok: true, verdict: 'not-retried', problems: [] });
  });

  it('--json: a failure names its problem on stderr (nothing is "listed above" there)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500);
      res.end('oops');
    });
    const run = await runCli(['simulate', '--url', server.url, '--json', '你好'], { cwd: dir.path, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error: WeChat would show "该公众号暂时无法提供服务": HTTP status 500: WeChat needs 200',
    );
    expect(run.stderr).not.toContain('listed above');
  });
});

describe('what is sent', () => {
  async function recorder() {
    const seen: InboundMessage[] = [];
    server = await startServer(
      correctWebhook((message) => {
        seen.push(message);
        return { type: 'success' };
      }),
    );
    return seen;
  }

  it('unquoted words are one text; a location by city or by coordinates; an unknown place asks for coordinates', async () => {
    const seen = await recorder();
    const url = (server as TestServer).url;
    expect((await runCli(['simulate', '--url', url, 'hello', 'world'], { cwd: dir.path, env })).code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ type: 'text', content: 'hello world' });

    expect((await runCli(['simulate', '--url', url, '--type', 'location', '上海'], { cwd: dir.path, env })).code).toBe(
      0,
    );
    expect(seen.at(-1)).toMatchObject({ type: 'location', latitude: 31.230416, longitude: 121.473701 });

    const unknown = await runCli(['simulate', '--url', url, '--type', 'location', '火星基地'], { cwd: dir.path, env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Where is "火星基地"?');
    expect(unknown.stderr).toContain('31.2304,121.4737 火星基地');
  });

  it('interactive /location 上海 sends Shanghai, /location with coordinates sends those', async () => {
    const seen = await recorder();
    const run = await runCli(['simulate', '--url', (server as TestServer).url, '--interactive'], {
      cwd: dir.path,
      env,
      input: '/location 上海\n/location 22.54,114.05 深圳湾\n',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(seen.map((m) => (m.type === 'location' ? [m.label, m.latitude, m.longitude] : m.type))).toEqual([
      ['上海市黄浦区人民广场', 31.230416, 121.473701],
      ['深圳湾', 22.54, 114.05],
    ]);
  });
});
