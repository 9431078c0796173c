/**
 * A running bot for tests: the real createWechatGpt behind a real node:http server on port 0, the real openai SDK
 * against the fake OpenAI server, and a WeChat-like client (the simulator) that drops at the timeout and retries.
 * Timing runs on a compressed clock: WeChat's 5 s becomes 500 ms.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWechatGpt,
  type Knowledge,
  type MessageRecord,
  type WechatGpt,
  type WechatGptConfig,
} from '../../src/index.js';
import { createLlmClient } from '../../src/llm/client.js';
import { silentLogger } from '../../src/logger.js';
import { type DeliverResult, deliver, type SimulatedMode } from '../../src/simulator/index.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';

/**
 * WeChat's timing at a tenth of real time. The budget leaves the client 200 ms of slack (real: 500 ms of 5 s), so a
 * loaded machine does not turn an answer in time into a dropped attempt.
 */
export const COMPRESSED = { wechatTimeoutMs: 500, replyBudgetMs: 300, attempts: 3 } as const;

export const TOKEN = 'testToken123';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const APP_ID = 'wx1234567890abcdef';
export const ACCOUNT = 'gh_0123456789ab';

export interface Harness {
  url: string;
  baseUrl: string;
  fake: FakeOpenAI;
  gpt: WechatGpt;
  records: MessageRecord[];
  /** What `onPush` was given: the records of pushed answers only. */
  pushRecords: MessageRecord[];
  /** Sends a message as WeChat would (timeout + retries on the compressed clock). */
  send(message: string | Partial<InboundMessage>, options?: SendOptions): Promise<DeliverResult>;
  close(): Promise<void>;
}

export interface SendOptions {
  user?: string;
  mode?: SimulatedMode;
  attempts?: number;
  msgId?: string;
}

let users = 0;
/** A fresh openid per call, so tests never share a conversation by accident. */
export const newUser = () => `oTestUser${process.pid}x${++users}`;

export async function startHarness({
  config = {},
  mode = 'plain',
  knowledge,
}: {
  config?: Partial<WechatGptConfig>;
  mode?: SimulatedMode;
  /** A knowledge base for the bot to answer from. */
  knowledge?: Knowledge;
} = {}): Promise<Harness> {
  const fake = await startFakeOpenAI({ apiKey: 'sk-test' });
  const records: MessageRecord[] = [];
  const pushRecords: MessageRecord[] = [];
  const gpt = createWechatGpt(
    {
      logger: silentLogger,
      ...config,
      wechat: { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID, ...config.wechat },
      llm: { apiKey: 'sk-test', baseUrl: fake.url, model: 'test-model', maxRetries: 0, ...config.llm },
      timing: { ...COMPRESSED, ...config.timing },
    },
    {
      onMessage: (record) => records.push(record),
      onPush: (record) => pushRecords.push(record),
      ...(knowledge ? { knowledge } : {}),
    },
  );
  const server: Server = createServer(gpt.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const url = `${baseUrl}${gpt.config.path}`;
  const defaultUser = newUser();
  // The first model call of a process loads the SDK's lazy parts and opens a connection: done here by a client of its
  // own (the bot's metrics do not see it), so a test's first answer is not late for the compressed clock on a loaded
  // machine. The fake forgets it.
  await createLlmClient({ apiKey: 'sk-test', baseUrl: fake.url, model: 'test-model', maxRetries: 0 })
    .chat({ messages: [{ role: 'user', content: 'warm-up' }] })
    .catch(() => undefined);
  fake.reset();

  return {
    url,
    baseUrl,
    fake,
    gpt,
    records,
    pushRecords,
    send(message, options = {}) {
      const user = options.user ?? defaultUser;
      const inbound =
        typeof message === 'string'
          ? { type: 'text' as const, content: message, fromUser: user, toUser: ACCOUNT }
          : { fromUser: user, toUser: ACCOUNT, ...message };
      return deliver({
        url,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        appId: APP_ID,
        mode: options.mode ?? mode,
        message: inbound as InboundMessage,
        ...(options.msgId ? { msgId: options.msgId } : {}),
        timeoutMs: gpt.config.timing.wechatTimeoutMs,
        attempts: options.attempts ?? gpt.config.timing.attempts,
      });
    },
    async close() {
      await gpt.close({ drainMs: 3000 });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}

/** The text the user sees, or the reply's type. */
export function seen(result: DeliverResult): string {
  return result.userSees;
}
