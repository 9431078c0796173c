/**
 * Runs once before the suite: starts a throwaway redis-server on a free port (REDIS_TEST_URL) for the Redis store
 * tests. dist/ is built only by the tests that spawn the CLI (test/support/build-once.ts), and only when stale.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
