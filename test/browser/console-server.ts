/**
 * The real console the browser suites drive: `serve --json` (the built CLI) in a temp folder, with the fake model
 * server, a keyword with a news reply and a small knowledge base. WeChat's real timing: 5 s per attempt, so a question
 * containing SLOW (answered in 7 s) arrives on attempt 2.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, tempDir } from '../cli/run-cli.js';
import { type RunningCli, startCli } from '../cli/spawn-cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

export const TOKEN = 'consoleToken42';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const APP_ID = 'wx1234567890abcdef';
export const API_KEY = 'sk-console-browser-test-0001';
/** A question containing this is answered in 7 s: after WeChat's first attempt gave up. */
export const SLOW = '慢';
export const SLOW_ANSWER = '想了七秒：慢慢来，比较快。';

/** The bot's answer to `question` (any question without SLOW). */
export const quickAnswer = (question: string) =>
  `你好！我是公众号里的 AI 助手。你问的是「${question}」，有什么可以帮你？`;

export interface ConsoleServer {
  /** The printed URL, with the per-run secret. */
  consoleUrl: string;
  stop(): Promise<void>;
}

function lastUserText(body: unknown): string {
  const messages = (body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? [];
  const last = messages.filter((message) => message.role === 'user').at(-1);
  return typeof last?.content === 'string' ? last.content : '';
}

export async function startConsoleServer(): Promise<ConsoleServer> {
  const dir = tempDir();
  let fake: FakeOpenAI | undefined;
  let serve: RunningCli | undefined;
  const stop = async () => {
    serve?.kill('SIGKILL');
    await fake?.close();
    dir.remove();
  };
  try {
    fake = await startFakeOpenAI({
      apiKey: API_KEY,
      defaultBehaviour: (request) => {
        const question = lastUserText(request.body);
        return question.includes(SLOW) ? { reply: SLOW_ANSWER, latencyMs: 7000 } : { reply: quickAnswer(question) };
      },
    });
    writeFileSync(
      join(dir.path, 'wechat-gpt.config.json'),
      JSON.stringify({
        kb: { minScore: 0.05, topK: 2 },
        keywords: [
          {
            match: 'exact',
            pattern: 'ABOUT',
            reply: {
              type: 'news',
              articles: [{ title: '关于我们：一个接入大模型的公众号', description: '五秒内回答，答不完就「继续」。' }],
            },
          },
        ],
      }),
    );
    // A knowledge base (built with the fake embeddings) for the detail's passages; its hashed-word vectors score
    // lower than a real model's, hence the low kb.minScore.
    mkdirSync(join(dir.path, 'docs'));
    copyFileSync(new URL('../fixtures/kb/hours.md', import.meta.url), join(dir.path, 'docs', 'hours.md'));
    const built = await runCli(['kb', 'build', 'docs'], {
      cwd: dir.path,
      env: { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: fake.url, NO_COLOR: '1' },
      timeoutMs: 60_000,
    });
    expect(built.code, built.stderr).toBe(0);
    serve = startCli(['serve', '--tunnel', 'none', '--port', '0', '--json'], {
      cwd: dir.path,
      env: {
        WECHAT_TOKEN: TOKEN,
        WECHAT_AES_KEY: AES_KEY,
        WECHAT_APP_ID: APP_ID,
        OPENAI_API_KEY: API_KEY,
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'gpt-4o-mini',
      },
    });
    const ready = JSON.parse(await serve.waitForLine((line) => line.startsWith('{"event":"ready"'))) as {
      consoleUrl: string;
    };
    return { consoleUrl: ready.consoleUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
