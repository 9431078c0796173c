// serve's logs as a service manager sees them: JSON lines on stdout when it is not a terminal, --log-file, secrets masked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver } from '../../src/simulator/index.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir } from './run-cli.js';
import { type RunningCli, startCli } from './spawn-cli.js';

const TOKEN = 'logsTestToken42';
const API_KEY = 'sk-logs-test-key-0001';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(args: string[], extraEnv: Record<string, string> = {}) {
  const dir = tempDir();
  const fake: FakeOpenAI = await startFakeOpenAI({ apiKey: API_KEY, defaultBehaviour: { reply: '你好' } });
  cleanups.push(
    () => dir.remove(),
    () => fake.close(),
  );
  const cli: RunningCli = startCli(['serve', '--port', '0', '--no-tunnel', ...args], {
    cwd: dir.path,
    env: { WECHAT_TOKEN: TOKEN, OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, ...extraEnv },
  });
  cleanups.push(() => cli.kill('SIGKILL'));
  return { cli, dir: dir.path };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

function send(url: string, content: string) {
  const message = { type: 'text', content, fromUser: 'oLogsUser0001', toUser: 'gh_0123456789ab' } as InboundMessage;
  return deliver({ url, token: TOKEN, mode: 'plain', message, timeoutMs: 5000, attempts: 1 });
}

describe('serve logs', () => {
  it('are pino JSON lines on stdout when stdout is not a terminal: ready (secrets masked), one per message, stopping', async () => {
    const { cli } = await start([]);
    const readyLine = await cli.waitForLine((line) => line.includes('"msg":"ready"'), 20_000);
    const ready = JSON.parse(readyLine) as Record<string, unknown>;
    expect(ready).toMatchObject({
      level: 30,
      name: 'wechat-gpt',
      token: '[masked]',
      tunnel: 'none',
      llmConfigured: true,
    });
    expect(cli.stdout).not.toContain(TOKEN);
    expect(cli.stdout).not.toContain('is ready.');

    const result = await send(ready.url as string, 'hello logs');
    expect(result.userSees).toBe('你好');
    const line = await cli.waitForLine((l) => l.includes('"msg":"message"'), 10_000);
    expect(JSON.parse(line)).toMatchObject({
      messageType: 'text',
      preview: 'hello logs',
      delivery: 'passive',
      source: 'llm',
    });

    cli.kill('SIGINT');
    const { code, stdout } = await cli.exited(15_000);
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((record) => record.msg)).toContain('Stopped.');
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('{')),
    ).toBe(true);
  });

  it('stay for people with --log-format pretty, and --log-file writes the JSON lines to a file', async () => {
    const { cli, dir } = await start(['--log-format', 'pretty', '--log-file', 'logs/bot.log']);
    await cli.waitForLine((line) => line.includes('is ready.'), 20_000);
    const url = /Try it without a phone: .*--url (\S+)/.exec(cli.stdout)?.[1] ?? '';
    expect((await send(url, 'hello file')).userSees).toBe('你好');
    await cli.waitForLine((line) => line.includes('hello file'), 10_000);
    cli.kill('SIGINT');
    expect((await cli.exited(15_000)).code).toBe(0);

    expect(readdirSync(join(dir, 'logs'))).toEqual(['bot.log']);
    const records = jsonLines(readFileSync(join(dir, 'logs', 'bot.log'), 'utf8'));
    expect(records.find((r) => r.msg === 'ready')).toMatchObject({ token: '[masked]' });
    expect(records.find((r) => r.msg === 'message')).toMatchObject({ preview: 'hello file', source: 'llm' });
    expect(records.at(-1)?.msg).toBe('Stopped.');
    expect(readFileSync(join(dir, 'logs', 'bot.log'), 'utf8')).not.toContain(TOKEN);
  });
});
