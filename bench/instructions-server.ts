/**
 * One server for the instruction count (bench/instructions.ts), run under valgrind: the target named on the command
 * line, built as bench/servers.ts builds it, from dist/. Prints its port; exits on a line on stdin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { WechatGpt } from '../src/index.js';
import { benchBareWebhook } from './bare-webhook.js';
import { BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER } from './constants.js';
import type { CountedTarget } from './counted-servers.js';
import { instantLlm } from './instant-model.js';

const { defaultTexts } = (await import('../dist/config.js')) as typeof import('../src/config.js');
const { createDevConsole } = (await import('../dist/console/index.js')) as typeof import('../src/console/index.js');
const { createMemoryStore, createWechatGpt } = (await import('../dist/index.js')) as typeof import('../src/index.js');
const { silentLogger } = (await import('../dist/logger.js')) as typeof import('../src/logger.js');

const target = process.argv[2] as CountedTarget;
const keyword = [
  { match: 'exact' as const, pattern: KEYWORD, reply: { type: 'text' as const, content: KEYWORD_ANSWER } },
];
const devConsole = target === 'console' ? createDevConsole() : undefined;

function library(): WechatGpt {
  if (target === 'model') {
    return createWechatGpt(
      {
        wechat: { ...BENCH_WECHAT },
        llm: { apiKey: 'sk-bench' },
        limits: { maxConcurrentLlmCalls: 64 },
        store: createMemoryStore(),
        logger: silentLogger,
      },
      { wrapLlm: instantLlm(KEYWORD_ANSWER) },
    );
  }
  const gpt = createWechatGpt(
    { wechat: { ...BENCH_WECHAT }, keywords: keyword, store: createMemoryStore(), logger: silentLogger },
    devConsole
      ? { observer: devConsole.observer, wrapLlm: devConsole.wrapLlm, onMessage: devConsole.onMessage }
      : target === 'served'
        ? { onMessage: () => {} }
        : {},
  );
  if (target === 'job')
    gpt.bot.use(({ text }) => (text === KEYWORD ? { type: 'text', content: KEYWORD_ANSWER } : undefined));
  return gpt;
}

let handler: (req: IncomingMessage, res: ServerResponse) => void;
if (target === 'bare') {
  const bare = benchBareWebhook(defaultTexts.welcome);
  handler = (req, res) => void bare(req, res);
} else {
  const gpt = library();
  handler = devConsole
    ? (req, res) => {
        if (!devConsole.handle(req, res)) gpt.listener(req, res);
      }
    : gpt.listener;
  if (devConsole) {
    const attach = () => devConsole.attach({ gpt, port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
    setImmediate(attach);
  }
}
const server = createServer((req, res) => handler(req, res));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
createInterface({ input: process.stdin }).on('line', () => process.exit(0));
