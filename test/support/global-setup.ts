/**
 * Runs once before the suite: builds dist/ (the CLI tests spawn the real binary) and starts a throwaway
 * redis-server on a free port (REDIS_TEST_URL) for the Redis store tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForRedis(port: number, child: ChildProcess): Promise<void> {
  const { Socket } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.write('PING\r\n');
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString().startsWith('+PONG'));
        });
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not answer PING');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      stdio: 'inherit',
    });
  } catch {
    // tsc still emits on type errors; typecheck reports them. The CLI tests run what was built.
    console.error('global-setup: the build reported type errors (see above); dist/ was still written.');
  }

  const dir = mkdtempSync(join(tmpdir(), 'wechat-gpt-redis-'));
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  let redisError: Error | undefined;
  redis.once('error', (error) => {
    redisError = error;
  });
  try {
    if (redisError) throw redisError;
    await waitForRedis(port, redis);
    project.provide('redisUrl', `redis://127.0.0.1:${port}`);
    project.provide('redisPort', port);
  } catch (error) {
    // Redis tests fail with this message; the rest of the suite still runs.
    project.provide('redisUrl', '');
    project.provide('redisPort', 0);
    console.error(
      `global-setup: redis-server unavailable (${(error as Error).message}); install it (apt-get install redis-server).`,
    );
  }

  return async () => {
    redis.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
}
