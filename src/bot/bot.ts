/** The conversation engine: assembles the pipeline and the deadline coordinator, and reports each answered attempt. */
import type { Logger, ResolvedConfig } from '../config.js';
import type { LlmClient } from '../llm/types.js';
import type { Store } from '../store/types.js';
import type { InboundMessage } from '../wechat/types.js';
import type { WechatApi } from '../wechat-api/types.js';
import { createActiveDelivery } from './active.js';
import { createChat } from './chat.js';
import { type AttemptContext, type AttemptOutcome, createCoordinator, type PushedAnswer } from './coordinator.js';
import { createImageCommand } from './image-command.js';
import { compileRules } from './keywords.js';
import { createPipeline } from './pipeline.js';
import { describeMessageType, previewMessage, previewReply } from './preview.js';
import { createQuickAnswer } from './quick-answer.js';
import { createSemaphore } from './semaphore.js';
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
  /** Called once per answered attempt, and once per pushed answer (serve prints these). */
  onMessage?: (record: MessageRecord) => void;
}

export interface Bot {
  /** Adds a handler that runs before the keyword rules, events and the model (in the order added). */
  use(handler: Handler): Bot;
  /** Answers one WeChat delivery (attempt) of a message. */
  respond(message: InboundMessage, context?: AttemptContext): Promise<AttemptOutcome>;
  /** Waits for answers in flight, up to timeoutMs. Resolves true when all finished. */
  drain(timeoutMs?: number): Promise<boolean>;
  /** How late answers reach users now: pushed (active) or kept for the next message (passive). */
  deliveryMode(): 'passive' | 'active';
  readonly inFlight: number;
  readonly llmInFlight: number;
}

export function createBot({ config, store, llm, logger, wechatApi, now = Date.now, onMessage }: BotOptions): Bot {
  const handlers: Handler[] = [];
  const semaphore = createSemaphore(config.limits.maxConcurrentLlmCalls);
  const answerWithModel = createChat({ llm, store, config, semaphore, logger, now });
  const rules = compileRules(config.keywords);
  const active = createActiveDelivery({ config, wechatApi, logger });

  function recordPush({ key, openid, result, outcome, latencyMs }: PushedAnswer): void {
    const record: MessageRecord = {
      time: now(),
      openid,
      messageType: 'push',
      preview: typeof result.question === 'string' ? result.question : '',
      replyType: result.reply.type,
      replyPreview: previewReply(result.reply),
      attempt: 1,
      delivery: outcome.status === 'pushed' ? 'push' : 'outbox',
      latencyMs,
      source:
        outcome.status === 'pushed'
          ? `pushed ${outcome.pages} message${outcome.pages === 1 ? '' : 's'}`
          : 'push-failed',
      ...(outcome.status === 'failed' && outcome.errcode !== undefined ? { error: `errcode ${outcome.errcode}` } : {}),
    };
    const { time: _pushedAt, ...fields } = record; // pino adds its own `time`
    logger.info({ ...fields, key }, 'pushed');
    onMessage?.(record);
  }

  const coordinator = createCoordinator({
    config,
    store,
    logger,
    now,
    work: (message, key, receivedAt) => pipeline.work(message, key, receivedAt),
    quickAnswer: createQuickAnswer({ config, store, rules, handlers }),
    active,
    onPushed: recordPush,
  });
  const pipeline = createPipeline({
    config,
    store,
    rules,
    handlers,
    answerWithModel,
    transcribeVoice: createVoiceTranscriber({ config, llm, wechatApi, logger }),
    drawImage: createImageCommand({ config, llm, wechatApi, semaphore, logger }),
    logger,
    now,
    startLateAnswer: coordinator.startLateAnswer,
  });

  const bot: Bot = {
    use(handler) {
      handlers.push(handler);
      return bot;
    },
    async respond(message, context = {}) {
      // Passed on as is when complete: its signal may be created only when read (the webhook's is).
      const receivedAt = context.receivedAt ?? now();
      const outcome = await coordinator.respond(
        message,
        context.receivedAt === undefined ? { ...context, receivedAt } : context,
      );
      const logging = logger.isLevelEnabled?.('info') ?? true;
      if (!logging && !onMessage) return outcome;
      const record: MessageRecord = {
        time: receivedAt,
        openid: message.fromUser,
        messageType: describeMessageType(message),
        preview: previewMessage(message),
        replyType: outcome.reply?.type ?? 'success',
        replyPreview: outcome.reply ? previewReply(outcome.reply) : '',
        attempt: outcome.attempt,
        delivery: outcome.delivery,
        latencyMs: now() - receivedAt,
        ...(typeof outcome.meta?.source === 'string' ? { source: outcome.meta.source } : {}),
        ...(typeof outcome.meta?.llmError === 'string' ? { error: outcome.meta.llmError } : {}),
      };
      if (logging) {
        const { time: _receivedAt, ...fields } = record; // pino adds its own `time`
        logger.info({ ...fields, key: outcome.key }, 'message');
      }
      onMessage?.(record);
      return outcome;
    },
    drain: (timeoutMs = 10_000) => coordinator.drain(timeoutMs),
    deliveryMode: active.mode,
    get inFlight() {
      return coordinator.inFlight;
    },
    get llmInFlight() {
      return semaphore.inUse;
    },
  };
  return bot;
}
