import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigReport } from '../../src/cli/commands/config.js';
import { runCli, tempDir } from './run-cli.js';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});
function folder(files: Record<string, string> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir.path, name, '..'), { recursive: true });
    writeFileSync(join(dir.path, name), content, { mode: 0o600 });
  }
  return dir.path;
}
async function report(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<ConfigReport> {
  const run = await runCli(['config', '--json', ...args], { cwd, env });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as ConfigReport;
}

const TOKEN = 'Tok3nForTests';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const API_KEY = 'sk-abcdefghijklmnopqrstuv9xQ2';

describe('wechat-gpt config', () => {
  it('masks secrets and says where each value came from', async () => {
    const cwd = folder({ '.env': `WECHAT_TOKEN=${TOKEN}\nWECHAT_AES_KEY=${AES_KEY}\n` });
    const run = await runCli(['config'], { cwd, env: { OPENAI_API_KEY: API_KEY } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/llm\.apiKey\s+env\s+sk-a…9xQ2/);
    expect(run.stdout).toMatch(/wechat\.token\s+\.env\s+Tok3…ests/);
    expect(run.stdout).toMatch(/llm\.model\s+default\s+gpt-4o-mini/);
    expect(run.stdout).toMatch(/wechat\.appId\s+not set\s+set WECHAT_APP_ID/);
    expect(run.stderr).toContain('warning: wechat.encodingAesKey is set but wechat.appId is not');
    for (const secret of [TOKEN, AES_KEY, API_KEY]) expect(run.stdout).not.toContain(secret);

    const appId = { WECHAT_APP_ID: 'wx1234567890abcdef' };
    const json = await report(cwd, [], { ...appId, OPENAI_API_KEY: API_KEY });
    expect(json.settings['llm.apiKey']).toEqual({
      value: 'sk-a…9xQ2',
      source: 'env',
      env: 'OPENAI_API_KEY',
      secret: true,
    });
    expect(JSON.stringify(json)).not.toContain(API_KEY);
    const redis = await report(cwd, [], { ...appId, REDIS_URL: 'redis://:hunter2@127.0.0.1:6379/0' });
    expect(redis.settings['serve.redisUrl']).toMatchObject({ value: 'redis://:***@127.0.0.1:6379/0', source: 'env' });
    const shown = await report(cwd, ['--show-secrets'], { ...appId, OPENAI_API_KEY: API_KEY });
    expect(shown.settings['llm.apiKey']?.value).toBe(API_KEY);
  });

  it('takes flags over the environment over .env over the config file over defaults', async () => {
    const files = {
      '.env': 'OPENAI_MODEL=from-dotenv\nPORT=4002\n',
      'wechat-gpt.config.json': JSON.stringify({ llm: { model: 'from-file' }, serve: { port: 4001 } }),
    };
    const cwd = folder(files);
    const env = { OPENAI_MODEL: 'from-env', PORT: '4003' };
    const model = async (args: string[], e: Record<string, string>) => (await report(cwd, args, e)).settings;

    let s = await model(['--model', 'from-flag', '--port', '4004'], env);
    expect(s['llm.model']).toMatchObject({ value: 'from-flag', source: 'flag' });
    expect(s['serve.port']).toMatchObject({ value: 4004, source: 'flag' });
    // visionModel follows the model unless set: a default derived from the winner.
    expect(s['llm.visionModel']).toMatchObject({ value: 'from-flag', source: 'default' });

    s = await model([], env);
    expect(s['llm.model']).toMatchObject({ value: 'from-env', source: 'env' });
    expect(s['serve.port']).toMatchObject({ value: 4003, source: 'env' });

    s = await model([], {});
    expect(s['llm.model']).toMatchObject({ value: 'from-dotenv', source: '.env' });
    expect(s['serve.port']).toMatchObject({ value: 4002, source: '.env' });

    writeFileSync(join(cwd, '.env'), '# nothing here\nOPENAI_MODEL=\n');
    s = await model([], {});
    expect(s['llm.model']).toMatchObject({ value: 'from-file', source: 'config file' });
    expect(s['serve.port']).toMatchObject({ value: 4001, source: 'config file' });

    const bare = (await report(folder())).settings;
    expect(bare['llm.model']).toMatchObject({ value: 'gpt-4o-mini', source: 'default' });
    expect(bare['serve.port']).toMatchObject({ value: 3000, source: 'default' });
    expect(bare['serve.tunnel']).toMatchObject({ value: 'auto', source: 'default' });
  });

  it('reads an explicit --config file and the tunnel flags', async () => {
    const cwd = folder({ 'conf/bot.json': JSON.stringify({ delivery: 'passive', serve: { tunnel: 'ngrok' } }) });
    const s = (await report(cwd, ['--config', 'conf/bot.json'])).settings;
    expect(s.delivery).toMatchObject({ value: 'passive', source: 'config file' });
    expect(s['serve.tunnel']).toMatchObject({ value: 'ngrok', source: 'config file' });
    expect((await report(cwd, ['--config', 'conf/bot.json', '--no-tunnel'])).settings['serve.tunnel']).toMatchObject({
      value: 'none',
      source: 'flag',
    });
    const missing = await runCli(['config', '--config', 'nope.json'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the config file nope.json');
  });

  it('shows a Token kept in the state file by serve', async () => {
    const cwd = folder({ '.wechat-gpt/state.json': JSON.stringify({ wechat: { token: TOKEN } }) });
    const s = (await report(cwd, ['--show-secrets'])).settings;
    expect(s['wechat.token']).toMatchObject({ value: TOKEN, source: 'state file' });
    expect(s['wechat.encodingAesKey']).toMatchObject({ value: null, source: 'not set' });
  });

  it('rejects a bad WECHAT_AES_KEY from .env with exit 2, naming the setting, its source and a fix', async () => {
    const cwd = folder({ '.env': `WECHAT_AES_KEY=${AES_KEY.slice(1)}\n` });
    const { code, stdout, stderr } = await runCli(['config'], { cwd });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'error: Invalid WECHAT_AES_KEY in .env: EncodingAESKey must be exactly 43 characters (got 42).',
    );
    expect(stderr).toMatch(/hint: Copy EncodingAESKey again from 公众平台 → 开发 → 基本配置 → 服务器配置/);
  });

  it('names the flag or the environment when that is where the bad value came from', async () => {
    const cwd = folder();
    const flag = await runCli(['config', '--port', 'eighty'], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('error: --port must be a port number 0–65535 (got "eighty").');
    const env = await runCli(['config'], { cwd, env: { WECHAT_TOKEN: 'a!' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      'error: Invalid WECHAT_TOKEN in the environment: Token must be 3–32 characters (got 2).',
    );
  });

  it('checks the config file against the schema: unknown settings, wrong types, broken JSON, bad patterns', async () => {
    // Every problem of one file in one run.
    const file = {
      llm: { temprature: 1, temperature: 'hot' },
      delivery: 'push',
      keywords: [
        { match: 'exact', pattern: 'hi', reply: { type: 'text' } },
        { match: 'regex', pattern: '(', reply: { type: 'text', content: 'x' } },
      ],
    };
    const bad = await runCli(['config'], { cwd: folder({ 'wechat-gpt.config.json': JSON.stringify(file) }) });
    expect(bad.code).toBe(2);
    for (const message of [
      /llm\.temprature in wechat-gpt\.config\.json is not a setting; did you mean llm\.temperature\?/,
      /llm\.temperature in wechat-gpt\.config\.json must be a number \(got "hot"\)\./,
      /delivery in wechat-gpt\.config\.json must be "passive", "active", "auto" \(got "push"\)/,
      /keywords\[0\]\.reply\.content in wechat-gpt\.config\.json is required\./,
      /keywords\[1\]\.pattern in wechat-gpt\.config\.json is not a valid regular expression/,
    ]) {
      expect(bad.stderr).toMatch(message);
    }
    expect(bad.stderr).toContain('error: 5 settings are invalid:');
    expect(bad.stderr).toContain('hint:');

    const broken = '{\n  "delivery": "auto",\n}';
    const json = await runCli(['config'], { cwd: folder({ 'wechat-gpt.config.json': broken }) });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/wechat-gpt\.config\.json is not valid JSON: .*\(line 3, column 1\)/);
    expect(json.stderr).toContain('hint:');
  });

  it('reports every wrong setting at once, each with its source and fix, and exits 2', async () => {
    const cwd = folder({
      '.env': 'PORT=eighty\n',
      'wechat-gpt.config.json': JSON.stringify({ limits: { maxReplyBytes: 100 }, delivery: 'push' }),
    });
    const { code, stdout, stderr } = await runCli(['config', '--base-url', 'ftp://x'], { cwd });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('error: 4 settings are invalid:');
    expect(stderr).toContain('- PORT in .env must be a port number 0–65535 (got "eighty").');
    expect(stderr).toContain('- limits.maxReplyBytes in wechat-gpt.config.json must be at least 256 (got 100).');
    expect(stderr).toContain('fix: WeChat accepts text replies up to 2048 bytes');
    expect(stderr).toContain('- delivery in wechat-gpt.config.json must be "passive", "active", "auto" (got "push").');
    expect(stderr).toContain('- --base-url must be a full http(s) URL (got "ftp://x").');
  });

  it('warns about secrets in the config file and unreadable .env lines, without failing', async () => {
    const cwd = folder({
      'wechat-gpt.config.json': JSON.stringify({ llm: { apiKey: API_KEY } }),
      '.env': 'this is not an assignment\n',
    });
    const { code, stderr, stdout } = await runCli(['config'], { cwd });
    expect(code).toBe(0);
    expect(stderr).toContain('warning: llm.apiKey is set in wechat-gpt.config.json; move it to .env as OPENAI_API_KEY');
    expect(stderr).toContain('warning: Ignored line 1 of .env');
    expect(stdout).not.toContain(API_KEY);
  });
});
