/**
 * The deployment files run what they say: the Dockerfile's CMD and HEALTHCHECK, and the systemd unit's ExecStart,
 * run here against the built CLI (paths mapped to this checkout, the port made free): the webhook starts, answers
 * the URL check, and /healthz is what the health check reads. (`docker build` itself needs a container runtime, which
 * this machine does not have.)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/run-cli.js';
import { type RunningCli, startCli } from '../cli/spawn-cli.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const INSTALLED = '/opt/wechat-gpt/bin/wechat-gpt.js';

const running: RunningCli[] = [];
const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) cli.kill('SIGKILL');
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A Dockerfile instruction's exec-form (JSON array) arguments. */
function instruction(dockerfile: string, name: string): string[] {
  const line = dockerfile.split('\n').findLast((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in the Dockerfile`);
  const json = line.slice(line.indexOf('['));
  return JSON.parse(json) as string[];
}

/** Starts `wechat-gpt <args>` (the installed path mapped to this checkout) on a free port; resolves its port. */
async function start(args: string[]): Promise<number> {
  const dir = tempDir();
  dirs.push(dir);
  const cli = startCli([...args, '--port', '0', '--json'], {
    cwd: dir.path,
    env: { WECHAT_TOKEN: 'deployToken42' },
  });
  running.push(cli);
  const ready = JSON.parse(await cli.waitForLine((line) => line.startsWith('{'), 20_000)) as { url: string };
  return Number(new URL(ready.url).port);
}

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('runs serve without a tunnel on every interface, as a non-root user, with a health check', async () => {
    const cmd = instruction(dockerfile, 'CMD');
    expect(cmd.slice(0, 2)).toEqual(['node', INSTALLED]);
    expect(cmd.slice(2)).toEqual(['serve', '--no-tunnel', '--host', '0.0.0.0']);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^FROM node:20[^\n]* AS build$/m);

    const port = await start(cmd.slice(2));
    const health = instruction(dockerfile, 'HEALTHCHECK --interval=30s --timeout=3s --start-period=15s CMD');
    expect(health[0]).toBe('node');
    const { stdout, stderr } = await run(process.execPath, health.slice(1), { env: { PORT: String(port) } });
    expect(stdout + stderr).toBe('');
  });

  it('the health check fails when nothing answers', async () => {
    const health = instruction(dockerfile, 'HEALTHCHECK --interval=30s --timeout=3s --start-period=15s CMD');
    await expect(run(process.execPath, health.slice(1), { env: { PORT: '1' } })).rejects.toMatchObject({ code: 1 });
  });
});

describe('the systemd unit', () => {
  const unit = read('deploy/wechat-gpt.service');

  it("ExecStart runs serve on loopback without a tunnel, and SIGTERM gets the drain's time", async () => {
    const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    expect(execStart.slice(0, 2)).toEqual(['/usr/bin/node', INSTALLED]);
    const args = execStart.slice(2);
    expect(args).toEqual(['serve', '--no-tunnel', '--host', '127.0.0.1', '--port', '3000']);
    expect(unit).toMatch(/^TimeoutStopSec=(1[1-9]|[2-9]\d)$/m);
    const port = await start(args.slice(0, -2));
    const check = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(check.status).toBe(200);
  });
});

it('the compose file keeps Redis persistent and gives the drain its time', () => {
  const compose = read('docker-compose.yml');
  expect(compose).toContain('REDIS_URL: redis://redis:6379');
  expect(compose).toContain('"--appendonly", "yes"');
  expect(compose).toMatch(/stop_grace_period: (1[1-9]|[2-9]\d)s/);
});
