import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/cli/dotenv.js';
import { checkConfig } from '../../src/config/problems.js';
import { configFileSchema } from '../../src/config/schema.js';
import { parseScenarios } from '../../src/scenario/parse.js';
import { validateEncodingAesKey, validateToken } from '../../src/wechat/keys.js';
import { runCli, tempDir } from './run-cli.js';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});
function folder({ git = false } = {}) {
  const dir = tempDir();
  dirs.push(dir);
  if (git) execFileSync('git', ['init', '-q', dir.path]);
  return dir.path;
}
const read = (cwd: string, name: string) => readFileSync(join(cwd, name), 'utf8');
const dotenv = (cwd: string) => parseDotenv(read(cwd, '.env')).values;
const mode = (cwd: string, name: string) => statSync(join(cwd, name)).mode & 0o777;

describe('wechat-gpt init', () => {
  it('writes .env (0600, valid generated keys, commented placeholders), the starter config and .gitignore', async () => {
    const cwd = folder({ git: true });
    const { code, stdout } = await runCli(['init'], { cwd });
    expect(code).toBe(0);

    expect(mode(cwd, '.env')).toBe(0o600);
    const values = dotenv(cwd);
    expect(validateToken(values.WECHAT_TOKEN ?? '')).toBeUndefined();
    expect(values.WECHAT_TOKEN).toHaveLength(32);
    expect(validateEncodingAesKey(values.WECHAT_AES_KEY ?? '')).toBeUndefined();
    const text = read(cwd, '.env');
    for (const name of [
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'OPENAI_API_KEY',
      'OPENAI_BASE_URL',
      'OPENAI_MODEL',
      'NGROK_AUTHTOKEN',
      'NGROK_DOMAIN',
      'REDIS_URL',
      'PORT',
    ]) {
      expect(text).toMatch(new RegExp(`^# ${name}=`, 'm'));
      expect(values[name]).toBeUndefined();
    }
    expect(text).toContain('公众平台 → 开发 → 基本配置 → 服务器配置');

    const config = JSON.parse(read(cwd, 'wechat-gpt.config.json')) as Record<string, unknown>;
    // A relative path to the schema this copy ships (no CDN copy of an unpublished version), and it resolves.
    expect(config.$schema).toMatch(/^\.{1,2}\/.*wechat-gpt\.config\.schema\.json$/);
    expect(existsSync(join(cwd, config.$schema as string))).toBe(true);
    expect(checkConfig(configFileSchema, config)).toMatchObject({ ok: true });
    expect(config).toMatchObject({ llm: { systemPrompt: expect.any(String) }, keywords: [expect.any(Object)] });

    expect(read(cwd, '.gitignore').split('\n')).toEqual(expect.arrayContaining(['.env', '.wechat-gpt/']));
    expect(parseScenarios(read(cwd, 'scenarios/example.yaml'), 'example.yaml').ok).toBe(true);
    expect(stdout).toContain('created scenarios/example.yaml');
    expect(stdout).toContain('npx wechat-gpt test');
    expect(stdout).toContain('npx wechat-gpt serve');
    expect(stdout).toContain('服务器配置');
  });

  it('never overwrites without --force, and --force regenerates only the Token and EncodingAESKey', async () => {
    const cwd = folder({ git: true });
    await runCli(['init'], { cwd });
    const first = dotenv(cwd);
    writeFileSync(join(cwd, '.env'), `${read(cwd, '.env')}OPENAI_API_KEY=sk-mine\n`);
    writeFileSync(join(cwd, 'wechat-gpt.config.json'), '{"delivery":"passive"}\n');
    writeFileSync(join(cwd, 'scenarios/example.yaml'), 'name: mine\nsteps: [{ send: hi }]\n');

    const again = await runCli(['init'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kept WECHAT_TOKEN and WECHAT_AES_KEY');
    expect(dotenv(cwd)).toEqual({ ...first, OPENAI_API_KEY: 'sk-mine' });
    expect(read(cwd, 'wechat-gpt.config.json')).toBe('{"delivery":"passive"}\n');
    expect(read(cwd, 'scenarios/example.yaml')).toBe('name: mine\nsteps: [{ send: hi }]\n');
    expect(again.stdout).toContain('kept the existing scenarios/example.yaml');
    expect(read(cwd, '.gitignore').match(/^\.env$/gm)).toHaveLength(1);

    const forced = await runCli(['init', '--force'], { cwd });
    expect(forced.code).toBe(0);
    const after = dotenv(cwd);
    expect(after.WECHAT_TOKEN).not.toBe(first.WECHAT_TOKEN);
    expect(after.WECHAT_AES_KEY).not.toBe(first.WECHAT_AES_KEY);
    expect(validateEncodingAesKey(after.WECHAT_AES_KEY ?? '')).toBeUndefined();
    expect(after.OPENAI_API_KEY).toBe('sk-mine');
    expect(read(cwd, 'wechat-gpt.config.json')).toBe('{"delivery":"passive"}\n');
    expect(forced.stdout).toContain('generated a new WECHAT_TOKEN and WECHAT_AES_KEY');
  });

  it('merges into an existing .env: keeps its lines, adds what is missing, tightens its mode and says so', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.env'), '# mine\nexport OPENAI_API_KEY="sk-keep me"\nWECHAT_TOKEN=\n# NGROK_AUTHTOKEN=\n');
    chmodSync(join(cwd, '.env'), 0o644);
    const { code, stdout } = await runCli(['init', '--json'], { cwd });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).dotenv).toMatchObject({ tightenedFrom: '644', unset: ['NGROK_AUTHTOKEN'] });
    const text = read(cwd, '.env');
    expect(text.startsWith('# mine\nexport OPENAI_API_KEY="sk-keep me"\n')).toBe(true);
    const values = dotenv(cwd);
    expect(values.OPENAI_API_KEY).toBe('sk-keep me');
    expect(validateToken(values.WECHAT_TOKEN ?? '')).toBeUndefined();
    expect(validateEncodingAesKey(values.WECHAT_AES_KEY ?? '')).toBeUndefined();
    expect(text.match(/NGROK_AUTHTOKEN=/g)).toHaveLength(1);
    expect(text).toMatch(/^# OPENAI_MODEL=/m);
    expect(mode(cwd, '.env')).toBe(0o600);
  });

  it('asks to fill in only what .env and the environment lack, and leaves a private .env mode alone', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, '.env'), 'OPENAI_API_KEY=sk-have-it\nNGROK_AUTHTOKEN=2abc\n');
    chmodSync(join(cwd, '.env'), 0o600);
    const full = await runCli(['init'], { cwd });
    expect(full.code).toBe(0);
    expect(full.stdout).not.toContain('Fill in');
    expect(full.stdout).not.toContain('NGROK_AUTHTOKEN');
    expect(full.stdout).not.toContain('changed the mode');
    expect(full.stdout).toMatch(/1\. Run npx wechat-gpt serve/);

    const other = folder();
    writeFileSync(join(other, '.env'), 'OPENAI_API_KEY=sk-have-it\n');
    chmodSync(join(other, '.env'), 0o640);
    const partial = await runCli(['init'], { cwd: other });
    expect(partial.stdout).toContain('changed the mode of .env from 640 to 600: it holds secrets');
    expect(partial.stdout).toContain(
      '1. For a public URL, fill in NGROK_AUTHTOKEN in .env (or pass --public-url to serve).',
    );
    expect(partial.stdout).not.toContain('Fill in OPENAI_API_KEY');

    const fromEnv = await runCli(['init'], { cwd: folder(), env: { OPENAI_API_KEY: 'sk-in-the-shell' } });
    expect(fromEnv.stdout).toContain('fill in NGROK_AUTHTOKEN');
    expect(fromEnv.stdout).not.toContain('OPENAI_API_KEY');
  });

  it('reports as JSON, and leaves .gitignore alone outside a git repository', async () => {
    const cwd = folder();
    const { code, stdout } = await runCli(['init', '--json'], { cwd });
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      dotenv: { created: boolean; added: string[] };
      gitignore: { added: string[] };
      next: string;
    };
    expect(result.dotenv).toMatchObject({ created: true, added: ['WECHAT_TOKEN', 'WECHAT_AES_KEY'] });
    expect(result.gitignore.added).toEqual([]);
    expect(result.next).toBe('npx wechat-gpt serve');
    expect(stdout).not.toContain(dotenv(cwd).WECHAT_TOKEN);
    expect(existsSync(join(cwd, '.gitignore'))).toBe(false);
  });

  it('warns when .env is already committed', async () => {
    const cwd = folder({ git: true });
    writeFileSync(join(cwd, '.env'), 'OPENAI_MODEL=x\n');
    execFileSync('git', ['add', '.env'], { cwd });
    const { code, stderr } = await runCli(['init'], { cwd });
    expect(code).toBe(0);
    expect(stderr).toContain('warning: .env is already committed to git; run `git rm --cached .env`');
  });
});
