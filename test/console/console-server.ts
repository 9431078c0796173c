/**
 * A bot with the dev console for tests: the real createWechatGpt and console behind a node:http server on port 0,
 * and the fake OpenAI server. WeChat's real timing (5 s) unless `compressed` (a tenth: 500 ms), for the tests of the
 * retry path only, so that a loaded machine cannot turn a plain answer into a retry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevConsole, type DevConsole } from '../../src/console/index.js';
import { createWechatGpt, type WechatGpt } from '../../src/index.js';
import type { Knowledge } from '../../src/kb/knowledge.js';
import { silentLogger } from '../../src/logger.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { AES_KEY, APP_ID, COMPRESSED, TOKEN } from '../support/harness.js';

export const API_KEY = 'sk-console-secret-key-0001';
export const APP_SECRET = 'appsecret0123456789abcdef0123456';
export const SECRET = 'console-test-secret-0123456789abcdef';

export interface ConsoleServer {
  base: string;
  port: number;
  webhookUrl: string;
  fake: FakeOpenAI;
  gpt: WechatGpt;
  devConsole: DevConsole;
  /** The cookie the printed URL sets. */
  cookie: string;
  /** A request to the console as the page makes it (loopback Host, its Origin on POSTs, the cookie). */
  api(path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export async function startConsoleServer({
  compressed = false,
  knowledge,
}: {
  compressed?: boolean;
  knowledge?: Knowledge;
} = {}): Promise<ConsoleServer> {
  const fake = await startFakeOpenAI({ apiKey: API_KEY });
  const devConsole = createDevConsole({ secret: SECRET });
  const gpt = createWechatGpt(
    {
      logger: silentLogger,
      wechat: { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID, appSecret: APP_SECRET },
      llm: { apiKey: API_KEY, baseUrl: fake.url, model: 'test-model', maxRetries: 0 },
      ...(compressed ? { timing: { ...COMPRESSED } } : {}),
      delivery: 'passive',
      // The fake embeddings are hashed words: similar texts score lower than a real model's.
      ...(knowledge ? { kb: { minScore: 0.05, topK: 2 } } : {}),
    },
    {
      observer: devConsole.observer,
      wrapLlm: devConsole.wrapLlm,
      onMessage: devConsole.onMessage,
      ...(knowledge ? { knowledge: devConsole.wrapKnowledge(knowledge) } : {}),
    },
  );
  const server: Server = createServer((req, res) => {
    if (!devConsole.handle(req, res)) gpt.listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  devConsole.attach({ gpt, port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const cookie = `wechat_gpt_console_${port}=${SECRET}`;

  return {
    base,
    port,
    webhookUrl: `${base}${gpt.config.path}`,
    fake,
    gpt,
    devConsole,
    cookie,
    api(path, { body, headers = {} } = {}) {
      return fetch(`${base}/_console/api/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          cookie,
          ...(body === undefined ? {} : { 'content-type': 'application/json', origin: base }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async close() {
      devConsole.close();
      await gpt.close({ drainMs: 3000 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}
