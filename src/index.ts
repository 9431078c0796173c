/** wechat-gpt's public API: createWechatGpt and the pieces users may embed or extend. */
import type { Express, Router } from 'express';
import { type Bot, createBot } from './bot/bot.js';
import type { MessageRecord } from './bot/types.js';
import { type ResolvedConfig, resolveConfig, type WechatGptConfig } from './config.js';
import type { Knowledge } from './kb/knowledge.js';
import { createLlmClient } from './llm/client.js';
import type { LlmClient } from './llm/types.js';
import { createLogger } from './logger.js';
import { meterLlm } from './metrics/llm.js';
import { type BotMetrics, createMetrics } from './metrics/metrics.js';
import { meterStore } from './metrics/store.js';
import type { ModerationEvent } from './moderation/index.js';
import { createApp, createRouter } from './server/app.js';
import { createHealthHandler } from './server/health.js';
import { createRequestListener } from './server/listener.js';
import { createMetricsHandler } from './server/metrics.js';
import type { WebhookObserver } from './server/observer.js';
import { createWebhookHandler, type WebhookHandler } from './server/webhook.js';
import { createMemoryStore } from './store/memory.js';
import type { Store } from './store/types.js';
import { createWechatApi } from './wechat-api/client.js';
import type { WechatApi } from './wechat-api/types.js';

export interface WechatGpt {
  /** An express app serving the webhook at config.path, /healthz and /metrics (unless metrics.enabled is false). */
  app: Express;
  /** The same routes as a router, to mount in your own express app (it reads the raw body, or express.text()'s). */
  router: Router;
  /** The webhook as a plain (req, res) handler, the fastest way to serve it. */
  webhook: WebhookHandler;
  /** A node:http listener: the webhook path straight to `webhook`, everything else to `app`. */
  listener: ReturnType<typeof createRequestListener>;
  bot: Bot;
  store: Store;
  llm: LlmClient;
  config: ResolvedConfig;
  /** The Prometheus metrics (its own prom-client Registry; the process's are shared), unless metrics.enabled is false. */
  metrics: BotMetrics | undefined;
  /**
   * How slow answers reach users right now: `active` pushes them with the customer-service API, `passive` keeps them
   * for the user's next message. `auto` resolves to active when AppID and AppSecret are set; a 48001 (no permission)
   * switches to passive for the rest of the run.
   */
  deliveryMode(): 'passive' | 'active';
  /** The WeChat server API client, when AppID and AppSecret are configured. */
  wechatApi: WechatApi | undefined;
  /**
   * Shuts the bot down: held attempts answer at once (the answer if ready, else the thinking notice), answers in flight
   * get up to drainMs to finish into the outbox, then the store is closed (if we created it). Resolves true when every
   * answer in flight finished.
   */
  close(options?: { drainMs?: number }): Promise<boolean>;
}

export interface CreateOptions {
  /** Called once per answered attempt of a message, and once per pushed answer. */
  onMessage?: (record: MessageRecord) => void;
  /**
   * Called once per pushed answer only (the dev console, under `serve --quiet`): unlike onMessage it makes the bot build
   * no record for the messages it answers on their attempts.
   */
  onPush?: (record: MessageRecord) => void;
  /** Sees every webhook attempt: query, bodies, decrypted XML, reply, status, timing (the dev console uses it). */
  observer?: WebhookObserver;
  /** Wraps the model client, e.g. to record its calls; the bot then uses what it returns. */
  wrapLlm?: (llm: LlmClient) => LlmClient;
  /** Called for each question refused and each answer masked or replaced by moderation (a metrics counter hooks here). */
  onModeration?: (event: ModerationEvent) => void;
  /** The knowledge base the model answers from: `await loadKnowledge(...)` (see the README). */
  knowledge?: Knowledge;
}

export function createWechatGpt(
  config: WechatGptConfig,
  { onMessage, onPush, observer, wrapLlm, onModeration, knowledge }: CreateOptions = {},
): WechatGpt {
  const resolved = resolveConfig(config);
  const logger = config.logger ?? createLogger();
  const now = config.now ?? Date.now;
  const store = config.store ?? createMemoryStore({ now, outboxTtlMs: resolved.timing.outboxTtlMs });
  const metrics = resolved.metrics.enabled ? createMetrics(resolved) : undefined;
  // What the engine uses: the store and the model timed for /metrics when it is on.
  const usedStore = metrics ? meterStore(store, metrics.store) : store;
  const baseLlm = createLlmClient({
    apiKey: resolved.llm.apiKey,
    baseUrl: resolved.llm.baseUrl,
    model: resolved.llm.model,
    temperature: resolved.llm.temperature,
    maxTokens: resolved.llm.maxTokens,
    stream: resolved.llm.stream,
    timeoutMs: resolved.llm.timeoutMs,
    maxRetries: resolved.llm.maxRetries,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const meteredLlm = metrics ? meterLlm(baseLlm, metrics.model) : baseLlm;
  const llm = wrapLlm ? wrapLlm(meteredLlm) : meteredLlm;
  const { appId, appSecret } = resolved.wechat;
  const wechatApi =
    appId && appSecret
      ? createWechatApi({
          appId,
          appSecret,
          apiBase: resolved.wechat.apiBase,
          store: usedStore,
          logger,
          now,
          ...(config.fetch ? { fetch: config.fetch } : {}),
        })
      : undefined;
  const bot = createBot({
    config: resolved,
    store: usedStore,
    llm,
    logger,
    now,
    ...(wechatApi ? { wechatApi } : {}),
    ...(onMessage ? { onMessage } : {}),
    ...(onPush ? { onPush } : {}),
    ...(metrics ? { onPushed: metrics.pushed } : {}),
    ...(metrics || onModeration
      ? {
          onModeration: (event: ModerationEvent) => {
            metrics?.moderated(event);
            onModeration?.(event);
          },
        }
      : {}),
    ...(knowledge ? { knowledge } : {}),
  });
  metrics?.watch(bot);
  const webhook = createWebhookHandler({
    config: resolved,
    bot,
    logger,
    now,
    ...(observer ? { observer } : {}),
    ...(metrics ? { meter: metrics } : {}),
  });
  const health = createHealthHandler({ config: resolved, store: usedStore, llm, bot });
  const routes = {
    path: resolved.path,
    webhook,
    health,
    metrics: metrics ? createMetricsHandler({ metrics, token: resolved.metrics.token }) : undefined,
  };
  const app = createApp(routes);

  return {
    app,
    router: createRouter(routes),
    webhook,
    listener: createRequestListener({ app, webhook, path: resolved.path }),
    bot,
    store,
    llm,
    config: resolved,
    metrics,
    deliveryMode: bot.deliveryMode,
    wechatApi,
    async close({ drainMs = 10_000 } = {}) {
      bot.shutdown();
      const drained = await bot.drain(drainMs);
      bot.close();
      if (!config.store) await store.close();
      return drained;
    },
  };
}

export type { Bot } from './bot/bot.js';
export type { Handler, HandlerContext, MessageRecord } from './bot/types.js';
export * from './config.js';
export * from './errors.js';
export { createEmbedder, type Embedder } from './kb/embed.js';
export { type Knowledge, loadKnowledge } from './kb/knowledge.js';
export type { Passage } from './kb/types.js';
export { createLogger, maskSecret } from './logger.js';
export type { ModerationEvent } from './moderation/index.js';
export { heaviestUsers, type UsageReport, type UserUsage } from './quota/index.js';
export { createWebhookServer, WEBHOOK_SERVER_TIMEOUTS } from './server/http-server.js';
export type { ObservedAttempt, WebhookObserver } from './server/observer.js';
export { createMemoryStore } from './store/memory.js';
export { createRedisStore, type RedisStoreOptions } from './store/redis.js';
export type { Store } from './store/types.js';
export * from './wechat/index.js';
export { createWechatApi } from './wechat-api/client.js';
export type { WechatApi, WechatApiOptions } from './wechat-api/types.js';
