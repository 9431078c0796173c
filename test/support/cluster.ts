/**
 * Several instances of one bot for end-to-end tests: real webhook servers (createWechatGpt on node:http, port 0), each
 * with its own connections to one Redis, one fake model, and a WeChat-like client whose attempts of a message are
 * routed to either instance, as a round-robin load balancer would. Timing runs on the compressed clock (harness.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRedisStore,
  createWechatGpt,
  type Logger,
  type MessageRecord,
  type RedisStoreOptions,
  type Store,
  type WechatGpt,
} from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import type { HealthReport } from '../../src/server/health.js';
import { type DeliverResult, deliver, type SimulatedMode } from '../../src/simulator/index.js';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';
import { ACCOUNT, AES_KEY, APP_ID, COMPRESSED, TOKEN } from './harness.js';
import type { ChatBody } from './llm-body.js';

export type InstanceName = 'A' | 'B';

export interface Instance {
  name: InstanceName;
  url: string;
  baseUrl: string;
  gpt: WechatGpt;
  /** This instance's own connection to the shared Redis. */
  store: Store;
  records: MessageRecord[];
  /** GET /healthz. */
  health(): Promise<{ status: number; report: HealthReport }>;
  /**
   * Takes the instance out: stops listening and cuts its open requests (as a crash or a deploy does to the load
   * balancer's upstream), then drains the answers it is still producing into the store, and disconnects.
   */
  stop(): Promise<void>;
}

interface InstanceOptions {
  name: InstanceName;
  fake: FakeOpenAI;
  store: Partial<RedisStoreOptions> & { url: string; keyPrefix: string };
  logger: Logger;
}

async function startInstance({ name, fake, store: storeOptions, logger }: InstanceOptions): Promise<Instance> {
  const store = await createRedisStore({ logger, ...storeOptions });
  const records: MessageRecord[] = [];
  const gpt = createWechatGpt(
    {
      logger,
      store,
      wechat: { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID },
      llm: { apiKey: 'sk-test', baseUrl: fake.url, model: 'test-model', maxRetries: 0 },
      timing: { ...COMPRESSED },
    },
    { onMessage: (record) => records.push(record) },
  );
  const server: Server = createServer(gpt.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopped: Promise<void> | undefined;

  return {
    name,
    url: `${baseUrl}${gpt.config.path}`,
    baseUrl,
    gpt,
    store,
    records,
    async health() {
      const response = await fetch(`${baseUrl}/healthz`);
      return { status: response.status, report: (await response.json()) as HealthReport };
    },
    stop() {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await gpt.close({ drainMs: 5000 });
        await store.close();
        await closed;
      })();
      return stopped;
    },
  };
}

export interface SendOptions {
  user: string;
  /** Which instance each attempt reaches, cycling (the load balancer's choice): ['A', 'B'] alternates. */
  route?: InstanceName[];
  mode?: SimulatedMode;
}

export interface Cluster {
  fake: FakeOpenAI;
  a: Instance;
  b: Instance;
  /** Sends a text message as WeChat would: timeout, retries with the same MsgId, each attempt routed by `route`. */
  send(text: string, options: SendOptions): Promise<DeliverResult>;
  /** Chat completion requests the model received. */
  chatRequests(): ChatBody[];
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** The Redis both instances connect to (each with connections of its own). */
  url: string;
  /** Shared by both instances; one per cluster so that tests never see each other's keys. */
  keyPrefix: string;
  commandTimeoutMs?: number;
  /** Instance A's logger (its store's too); B logs nothing. */
  logger?: Logger;
}

/** Two instances of one bot on one Redis and one fake model. */
export async function startCluster({
  url,
  keyPrefix,
  commandTimeoutMs,
  logger = silentLogger,
}: ClusterOptions): Promise<Cluster> {
  const fake = await startFakeOpenAI({ apiKey: 'sk-test' });
  const store = { url, keyPrefix, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) };
  const [a, b] = await Promise.all([
    startInstance({ name: 'A', fake, store, logger }),
    startInstance({ name: 'B', fake, store, logger: silentLogger }),
  ]);
  const byName = { A: a, B: b };
  return {
    fake,
    a,
    b,
    send(text, { user, route = ['A'], mode = 'plain' }) {
      const urlOf = (attempt: number) => byName[route[(attempt - 1) % route.length]!].url;
      return deliver({
        url: urlOf(1),
        urlForAttempt: urlOf,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        appId: APP_ID,
        mode,
        message: { type: 'text', content: text, fromUser: user, toUser: ACCOUNT },
        timeoutMs: COMPRESSED.wechatTimeoutMs,
        attempts: COMPRESSED.attempts,
      });
    },
    chatRequests: () => fake.requests.filter((r) => r.endpoint === 'chat').map((r) => r.body as ChatBody),
    async close() {
      await Promise.all([a.stop(), b.stop()]);
      await fake.close();
    },
  };
}
