/**
 * The conversation engine, wired in one direction: attempts (the deadline rules) → routing (what answers a message) →
 * outbox (answers that wait) → jobs (work in flight and the hand-over of answers) → delivery (passive or pushed) →
 * store. Reports each answered attempt and each pushed answer.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { createKnowledgeStep } from '../kb/answering.js';
import type { Knowledge } from '../kb/knowledge.js';
import type { LlmClient } from '../llm/types.js';
import {
  createModeration,
  createOpenAIModeration,
  type ModerationEvent,
  type ModerationProvider,
} from '../moderation/index.js';
import { createQuotas } from '../quota/index.js';
import type { Store } from '../store/types.js';
import type { InboundMessage } from '../wechat/types.js';
import type { WechatApi } from '../wechat-api/types.js';
import { type AttemptContext, type AttemptOutcome, createAttempts } from './attempts.js';
import { createChat } from './chat.js';
import { type Clock, clockWithNow } from './clock.js';
import { createDelivery, type DeliveryState } from './delivery.js';
import { createImageCommand } from './image-command.js';
import { createJobs, type PushedAnswer } from './jobs.js';
import { compileRules } from './keywords.js';
import { gateImages, gateModel } from './model-gate.js';
import { createOutbox } from './outbox.js';
import { describeMessageType, previewMessage, previewReply } from './preview.js';
import { createRouting } from './routing.js';
import { createSemaphore } from './semaphore.js';
import { createStorePatience } from './store-patience.js';
import { createTextResult } from './text-result.js';
import type { Handler, MessageRecord } from './types.js';
import { createVoiceTranscriber } from './voice.js';

export interface BotOptions {
  config: ResolvedConfig;
  store: Store;
  llm: LlmClient;
  logger: Logger;
  /** The WeChat server API (AppID + AppSecret): pushing late answers, voice download, image upload. */
  wechatApi?: WechatApi;
  now?: () => number;
  /** The clock deadlines run on (default: the system timers with `now`). */
  clock?: Clock;
  /** Called once per answered attempt, and once per pushed answer (serve prints these). */
  onMessage?: (record: MessageRecord) => void;
  /** Called once per pushed answer only: no record is built for the other messages on its account. */
  onPush?: (record: MessageRecord) => void;
  /** Called once per pushed answer (or push that fell back to the outbox), with nothing built for it (metrics). */
  onPushed?: (pushed: PushedAnswer) => void;
  /** Called for each question refused and each answer masked or replaced by moderation (metrics hook here). */
  onModeration?: (event: ModerationEvent) => void;
  /** The knowledge base the model answers from (loadKnowledge). */
  knowledge?: Knowledge;
}

export interface Bot {
  /** Adds a handler that runs before the keyword rules, events and the model (in the order added). */
  use(handler: Handler): Bot;
  /** Answers one WeChat delivery (attempt) of a message. */
  respond(message: InboundMessage, context?: AttemptContext): Promise<AttemptOutcome>;
  /**
   * Starts a shutdown: every held attempt answers at once (the answer if ready, else the thinking notice) and answers
   * still being prepared go to the outbox when they finish. Later attempts are answered without holding.
   */
  shutdown(): void;
  /** Waits for answers in flight, up to timeoutMs. Resolves true when all finished. */
  drain(timeoutMs?: number): Promise<boolean>;
  /** How late answers reach users now: pushed (active) or kept for the next message (passive). */
  deliveryMode(): 'passive' | 'active';
  /** Where active delivery stands (degraded while the WeChat API cannot be used). */
  deliveryState(): DeliveryState;
  /** Stops timers (the delivery probe). */
  close(): void;
  readonly inFlight: number;
  readonly llmInFlight: number;
  /** Answers to be pushed once ready, or being pushed now. */
  readonly pushing: number;
}

/** The moderation endpoint when configured: its own key and URL, else the model's. */
function moderationEndpoint({ moderation, llm }: ResolvedConfig): { provider?: ModerationProvider } {
  const apiKey = moderation.openai.apiKey ?? llm.apiKey;
  if (moderation.provider !== 'openai' || !apiKey) return {};
  const baseUrl = moderation.openai.baseUrl ?? llm.baseUrl;
  return {
    provider: createOpenAIModeration({ apiKey, model: moderation.openai.model, ...(baseUrl ? { baseUrl } : {}) }),
  };
}

export function createBot({
  config,
  store,
  llm,
  logger,
  wechatApi,
  now,
  clock = clockWithNow(now),
  onMessage,
  onPush,
  onPushed,
  onModeration,
  knowledge,
}: BotOptions): Bot {
  const handlers: Handler[] = [];
  const semaphore = createSemaphore(config.limits.maxConcurrentLlmCalls);
  const patience = createStorePatience(clock, { inProcess: store.inProcess === true });
  const moderation = createModeration({
    config,
    logger,
    clock,
    ...(onModeration ? { onEvent: onModeration } : {}),
    ...moderationEndpoint(config),
  });
  const quotas = createQuotas({ config, store, clock, patience, logger });
  const knowledgeStep = createKnowledgeStep({ config, store, knowledge, logger, clock, patience });
  const answerWithModel = gateModel({
    // Moderation and quotas wrap the whole model step: retrieval, the cache and the model's answer.
    answerWithModel: createChat({
      llm,
      store,
      config,
      semaphore,
      logger,
      clock,
      patience,
      knowledge: knowledgeStep,
    }),
    moderation,
    quotas,
  });
  const textResult = createTextResult(config);
  const delivery = createDelivery({ config, wechatApi, logger, clock });

  function recordPush(pushed: PushedAnswer): void {
    onPushed?.(pushed);
    const { key, openid, result, outcome, latencyMs } = pushed;
    const record: MessageRecord = {
      time: clock.now(),
      openid,
      messageType: 'push',
      preview: typeof result.question === 'string' ? result.question : '',
      replyType: result.reply.type,
      replyPreview: previewReply(result.reply),
      attempt: 1,
      delivery: outcome.status === 'pushed' ? 'push' : 'outbox',
      latencyMs,
      key,
      source: outcome.status === 'pushed' ? 'pushed' : 'push-failed',
      ...(outcome.status === 'pushed' ? { pushedPages: outcome.pages } : {}),
      ...(outcome.status === 'failed' && outcome.errcode !== undefined ? { error: `errcode ${outcome.errcode}` } : {}),
    };
    const { time: _pushedAt, ...fields } = record; // pino adds its own `time`
    logger.info(fields, 'pushed');
    onMessage?.(record);
    onPush?.(record);
  }

  const jobs = createJobs({ config, store, logger, clock, delivery, onPushed: recordPush });
  const outbox = createOutbox({ config, store, jobs, delivery, logger, clock, textResult });
  const routing = createRouting({
    config,
    store,
    rules: compileRules(config.keywords),
    handlers,
    answerWithModel,
    transcribeVoice: createVoiceTranscriber({ config, llm, wechatApi, logger }),
    drawImage: gateImages(createImageCommand({ config, llm, wechatApi, semaphore, logger }), { moderation, quotas }),
    outbox,
    textResult,
    logger,
    clock,
    patience,
  });
  const attempts = createAttempts({ config, store, jobs, routing, delivery, logger, clock, patience });

  /** The message's line in the log and its record for onMessage (serve's output, the dev console). */
  function tell(message: InboundMessage, outcome: AttemptOutcome, receivedAt: number, logging: boolean): void {
    const record: MessageRecord = {
      time: receivedAt,
      openid: message.fromUser,
      messageType: describeMessageType(message),
      preview: previewMessage(message),
      replyType: outcome.reply?.type ?? 'success',
      replyPreview: outcome.reply ? previewReply(outcome.reply) : '',
      attempt: outcome.attempt,
      delivery: outcome.delivery,
      latencyMs: clock.now() - receivedAt,
      key: outcome.key,
      source: outcome.meta.source,
      ...(outcome.meta.llmError !== undefined ? { error: outcome.meta.llmError } : {}),
    };
    if (logging) {
      const { time: _receivedAt, ...fields } = record; // pino adds its own `time`
      logger.info(fields, 'message');
    }
    onMessage?.(record);
  }

  const bot: Bot = {
    use(handler) {
      handlers.push(handler);
      return bot;
    },
    respond(message, context = {}) {
      // Passed on as is when complete: its signal may be created only when read (the webhook's is).
      const receivedAt = context.receivedAt ?? clock.now();
      const answering = attempts.respond(
        message,
        context.receivedAt === undefined ? { ...context, receivedAt } : context,
      );
      const logging = logger.isLevelEnabled?.('info') ?? true;
      // Nobody to tell: the attempt's own promise, with no step after it.
      if (!logging && !onMessage) return answering;
      return answering.then((outcome) => {
        tell(message, outcome, receivedAt, logging);
        return outcome;
      });
    },
    shutdown: attempts.shutdown,
    drain: (timeoutMs = 10_000) => jobs.drain(timeoutMs),
    deliveryMode: delivery.mode,
    deliveryState: delivery.state,
    close: delivery.close,
    get inFlight() {
      return jobs.inFlight;
    },
    get llmInFlight() {
      return semaphore.inUse;
    },
    get pushing() {
      return jobs.pushing;
    },
  };
  return bot;
}
