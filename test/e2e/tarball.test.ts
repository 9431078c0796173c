/**
 * Install anywhere: `npm pack` the package, install the tarball into an empty folder with npm (dependencies from the
 * registry or npm's cache, no dev dependencies), and run the installed `wechat-gpt` from there — `--help`, `init`,
 * `serve` and `simulate` against it with the fake model — then the same tarball as a global command
 * (`npm install -g`, into a private prefix). Slow (npm installs), so it runs in `npm run test:e2e`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulateReport } from '../../src/cli/simulate/report.js';
import { ensureBuilt } from '../support/build-once.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

const run = promisify(execFile);
const ROOT = realpathSync(new URL('../../', import.meta.url));
const NPM = 'npm';
const API_KEY = 'sk-tarball-test-key-0001';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'wechat-gpt-tarball-')));
let tarball: string;
let fake: FakeOpenAI;
const children: ChildProcess[] = [];

/** npm with the machine's own cache (prefer what it holds), no audit, no funding notices. */
const npm = (args: string[], cwd: string) =>
  run(NPM, [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd,
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });

/** The installed command, run with a clean environment (only PATH and a private HOME) plus `env`. */
function cli(bin: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return run(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

function folder(name: string): string {
  const path = join(work, name);
  mkdirSync(path, { recursive: true });
  return path;
}

beforeAll(async () => {
  // dist/ as the sources say; `npm pack` then packs it without running the build again.
  await ensureBuilt();
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', folder('pack')], ROOT);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  tarball = join(work, 'pack', filename);
  fake = await startFakeOpenAI({ apiKey: API_KEY, defaultBehaviour: { reply: '装好了，我在。' } });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds what the installed CLI needs, and nothing of the sources or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    for (const needed of [
      'package/bin/wechat-gpt.js',
      'package/dist/cli/index.js',
      'package/dist/doctor/run.js',
      'package/console/index.html',
      'package/schema/wechat-gpt.config.schema.json',
      'package/README.md',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((file) => /^package\/(src|test|bench|scripts)\//.test(file))).toEqual([]);
    expect(statSync(tarball).size).toBeLessThan(1024 * 1024);
  });

  it('installs into an empty folder without dev dependencies; --help, init, serve and simulate run from there', async () => {
    const project = folder('project');
    await npm(['install', tarball], project);
    const bin = join(project, 'node_modules', 'wechat-gpt', 'bin', 'wechat-gpt.js');
    expect(existsSync(join(project, 'node_modules', '.bin', 'wechat-gpt'))).toBe(true);
    // No dev dependency came along (the build tools stay in the repository).
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);

    const help = await cli(bin, ['--help'], project);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: wechat-gpt');
    for (const command of ['init', 'serve', 'simulate', 'doctor']) expect(help.stdout).toContain(`  ${command} `);

    // npx finds the installed command, as the README says.
    const version = await run(NPM, ['exec', '--no', '--', 'wechat-gpt', '--version'], { cwd: project });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

    const init = await cli(bin, ['init'], project);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('created .env');
    const dotenv = readFileSync(join(project, '.env'), 'utf8');
    expect(dotenv).toMatch(/^WECHAT_TOKEN=[A-Za-z0-9]{32}$/m);
    // The starter config points at the schema inside the installed package.
    const config = JSON.parse(readFileSync(join(project, 'wechat-gpt.config.json'), 'utf8')) as { $schema: string };
    expect(existsSync(join(project, config.$schema))).toBe(true);

    // serve from the installed package, with the model on loopback; simulate plays WeChat against it.
    const env = { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'test-model' };
    const url = await startServe(bin, project, env);
    const simulated = await cli(bin, ['simulate', '--url', url, '--json', '你在吗'], project, env);
    expect(simulated.code).toBe(0);
    expect(JSON.parse(simulated.stdout) as SimulateReport).toMatchObject({ ok: true, userSees: '装好了，我在。' });
  });

  it('installs as a global command (npm install -g) that works in any folder', async () => {
    const prefix = folder('global');
    await npm(['install', '--global', '--prefix', prefix, tarball], work);
    const command = join(prefix, 'bin', 'wechat-gpt');
    expect(existsSync(command)).toBe(true);

    const elsewhere = folder('elsewhere');
    const path = `${join(prefix, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    const { stdout } = await run('wechat-gpt', ['init'], { cwd: elsewhere, env: { PATH: path, HOME: elsewhere } });
    expect(stdout).toContain('created wechat-gpt.config.json');
    expect(existsSync(join(elsewhere, '.env'))).toBe(true);
  });
});

/** Starts the installed `serve` on a free port; resolves the webhook URL from its ready line. */
function startServe(bin: string, cwd: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--no-tunnel', '--json'], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"event":"ready"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before ready.\n${stdout}\n${stderr}`)));
  });
}
