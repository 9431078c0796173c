// `wechat-gpt doctor` spawned as a process against local fakes of the model and the WeChat API, a real redis-server
// and the real webhook: its lines, --json and the exit code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/commands/doctor.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { type Harness, startHarness, TOKEN } from '../support/harness.js';
import { runCli, tempDir } from './run-cli.js';
import { startCli } from './spawn-cli.js';

const KEY = 'sk-doctor-cli-key-0001';
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'doctor-cli-secret-0123456789abcdef';

const dir = tempDir();
let model: FakeOpenAI;
let api: FakeWechatApi;
let bot: Harness;
let env: Record<string, string>;

beforeAll(async () => {
  const redisUrl = inject('redisUrl');
  if (!redisUrl) throw new Error('redis-server is not running (see the global-setup message).');
  [model, api, bot] = await Promise.all([
    startFakeOpenAI({ apiKey: KEY }),
    startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET, clientIp: '198.51.100.23' }),
    startHarness(),
  ]);
  // ffmpeg is not needed without voice transcription, so the result does not depend on this machine having it.
  writeFileSync(join(dir.path, 'wechat-gpt.config.json'), JSON.stringify({ media: { transcribeVoice: false } }));
  env = {
    WECHAT_TOKEN: TOKEN,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
    WECHAT_API_BASE: api.url,
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: model.url,
    OPENAI_MODEL: 'test-model',
    REDIS_URL: redisUrl,
  };
});

afterAll(async () => {
  await Promise.all([model?.close(), api?.close(), bot?.close()]);
  dir.remove();
});

const doctor = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(['doctor', '--url', bot.url, ...args], { cwd: dir.path, env: { ...env, ...extraEnv }, timeoutMs: 20_000 });

describe('wechat-gpt doctor', () => {
  it('prints one line per check and exits 0 when nothing fails', async () => {
    const { code, stdout, stderr } = await doctor([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.map((line) => line.split(/\s+/).slice(0, 2).join(' ')).filter((l) => /^[✔✖–] /.test(l))).toEqual([
      '✔ config',
      '✔ model',
      '✔ wechat-api',
      '✔ redis',
      '– ngrok',
      '✔ public-url',
      expect.stringMatching(/^[✔–] ffmpeg$/),
      '✔ clock',
    ]);
    expect(stdout).toMatch(/^✔ model {7}test-model answered a tiny completion .* \[(\d+(\.\d)? ms|\d+(\.\d\d)? s)\]$/m);
    expect(stdout).toContain(`access_token fetched for ${APP_ID}`);
    expect(stdout).toMatch(/answers PING \(Redis \d/);
    expect(stdout).toContain(`${bot.url} passes the 服务器配置 check (HTTP 200)`);
    expect(stdout).toMatch(/nothing failed, [67] passed, [12] skipped\n$/);
    // The secrets stay out of the output.
    expect(stdout).not.toContain(KEY);
    expect(stdout).not.toContain(APP_SECRET);
  });

  it('--json: a rejected key and 40164 fail with their hints, and exit 1', async () => {
    api.inject('/cgi-bin/stable_token', 40164);
    const { code, stdout, stderr } = await doctor(['--json'], { OPENAI_API_KEY: 'sk-not-the-right-key-01' });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
    expect(byId.model).toMatchObject({ status: 'fail' });
    expect(byId.model?.summary).toContain('the key was rejected');
    expect(byId.model?.hint).toContain('Check OPENAI_API_KEY');
    expect(byId['wechat-api']).toMatchObject({ status: 'fail' });
    expect(byId['wechat-api']?.summary).toContain('WeChat sees this machine as 198.51.100.23');
    expect(byId['wechat-api']?.hint).toContain('Add 198.51.100.23');
    expect(byId.redis).toMatchObject({ status: 'ok' });
    expect(byId.ngrok).toMatchObject({ status: 'skip' });
    expect(stderr).toContain('error: 2 checks failed (see above).');
  });

  it('an invalid configuration fails the config check with the loader’s message, and skips the rest', async () => {
    const { code, stdout } = await doctor([], { PORT: 'eighty' });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✖ config {6}PORT in the environment must be a port number/m);
    expect(stdout).toMatch(/^– model {7}not checked: the configuration is invalid$/m);
    expect(stdout).toMatch(/1 failed, 0 passed, 7 skipped\n$/);
  });

  it('a wrong --timeout is a usage error (exit 2)', async () => {
    const { code, stderr } = await doctor(['--timeout', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toContain('--timeout must be a number of milliseconds');
  });
});

describe('serve at start', () => {
  it('warns about a rejected key and a missing IP白名单 entry, one line each, and starts anyway', async () => {
    api.inject('/cgi-bin/stable_token', 40164);
    const cli = startCli(['serve', '--port', '0', '--no-tunnel', '--json'], {
      cwd: dir.path,
      env: { ...env, OPENAI_API_KEY: 'sk-not-the-right-key-02', REDIS_URL: '' },
    });
    try {
      const ready = JSON.parse(await cli.waitForLine((line) => line.startsWith('{"event":"ready"'))) as {
        url: string;
      };
      await cli.waitForStderr('warning: wechat-api:');
      await cli.waitForStderr('warning: model:');
      const warnings = cli.stderr.split('\n').filter((line) => line.startsWith('warning:'));
      expect(warnings.find((line) => line.startsWith('warning: model:'))).toContain('Check OPENAI_API_KEY');
      expect(warnings.find((line) => line.startsWith('warning: wechat-api:'))).toContain('Add 198.51.100.23');
      expect(cli.stderr).not.toContain('sk-not-the-right-key-02');
      // Still serving.
      const run = await runCli(['verify', '--url', ready.url], { cwd: dir.path, env });
      expect(run.code).toBe(0);
      // Only the key was listed: no completion was paid for.
      expect(model.requests.filter((r) => r.endpoint === 'chat' && r.headers.authorization?.includes('-02'))).toEqual(
        [],
      );
    } finally {
      cli.kill('SIGKILL');
    }
  });
});
