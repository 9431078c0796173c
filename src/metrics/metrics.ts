/**
 * The bot's Prometheus metrics, in a registry of its own (several bots in one process, or in one test run, never
 * share or collide). The hot path only adds to plain numbers (cells.ts); prom-client reads them, and the gauges of
 * things in flight, when /metrics is scraped.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AttemptOutcome } from '../bot/attempts.js';
import type { Bot } from '../bot/bot.js';
import type { PushedAnswer } from '../bot/jobs.js';
import { describeMessageType } from '../bot/preview.js';
import type { ResolvedConfig } from '../config.js';
import type { ModerationEvent } from '../moderation/index.js';
import type { WebhookMeter } from '../server/observer.js';
import type { InboundMessage } from '../wechat/types.js';
import { counterCells, histogramCells, observe } from './cells.js';
import { errorPageOf } from './error-pages.js';
import type { ModelMeter } from './llm.js';
import { type StoreMeter, TIMED_STORE_OPS } from './store.js';

const PREFIX = 'wechat_gpt_';

/** Around WeChat's 5 s: what matters is which side of it an answer lands. */
const REPLY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 10, 15];
const MODEL_BUCKETS = [0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 30, 60];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface BotMetrics extends WebhookMeter {
  /** This bot's metrics (without the process ones). */
  readonly registry: Registry;
  /** What /metrics answers: this bot's metrics and the process's (CPU, memory, event loop, GC). */
  exposition(): Promise<string>;
  readonly model: ModelMeter;
  readonly store: StoreMeter;
  /** Told of each pushed answer (or push that fell back to the outbox). */
  pushed(pushed: PushedAnswer): void;
  /** Told of each question refused and each answer masked or blocked by moderation. */
  moderated(event: ModerationEvent): void;
  /** Reads the bot's gauges (jobs and model calls in flight, pushes waiting) at each scrape. */
  watch(bot: Pick<Bot, 'inFlight' | 'llmInFlight' | 'pushing'>): void;
}

/** The label of a message's type: text, image, voice…, event:subscribe, event:CLICK…; unknown types as one value. */
function typeLabel(message: InboundMessage): string {
  if (message.type === 'unknown') return 'unknown';
  // Event names outside the known ones are free text: one label value for them all keeps the series bounded.
  if (message.type === 'event' && message.event === 'other') return 'event:other';
  return describeMessageType(message);
}

let processRegistry: Registry | undefined;

/**
 * The process's metrics, once per process: they describe the process, not a bot, and prom-client's collectors for them
 * (a GC observer, an event-loop delay monitor) must not multiply with every bot created.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

export function createMetrics(config: Pick<ResolvedConfig, 'timing'>): BotMetrics {
  const registry = new Registry();
  const registers = [registry];

  const messages = counterCells({
    registry,
    name: `${PREFIX}messages_total`,
    help: 'Messages answered, by type and by what produced the answer (llm, keyword, command, thinking…); one per message, on the attempt that answered it.',
    labelNames: ['type', 'source'],
  });
  const replies = counterCells({
    registry,
    name: `${PREFIX}replies_total`,
    help: "WeChat's attempts by how they were answered: delivery passive|retry|outbox|push|repeat|dropped, and the attempt number.",
    labelNames: ['delivery', 'attempt'],
  });
  const errorPages = counterCells({
    registry,
    name: `${PREFIX}error_pages_total`,
    help: "WeChat's error page: avoided (a late answer reached WeChat in time: on a retry, as the notice, pushed) or happened (the last attempt went unanswered in time).",
    labelNames: ['outcome'],
  });
  const refused = counterCells({
    registry,
    name: `${PREFIX}webhook_refused_total`,
    help: 'Webhook requests refused, by HTTP status (a failure past the signature check is answered 200 success, counted as status 500).',
    labelNames: ['status'],
  });
  const replySeconds = histogramCells({
    registry,
    name: `${PREFIX}reply_seconds`,
    help: "From an attempt's arrival to its reply written.",
    buckets: REPLY_BUCKETS,
  })('');
  const modelSeconds = histogramCells({
    registry,
    name: `${PREFIX}model_seconds`,
    help: 'Model calls by kind (chat, transcribe, image), retries included.',
    buckets: MODEL_BUCKETS,
    labelName: 'kind',
  });
  const modelErrors = counterCells({
    registry,
    name: `${PREFIX}model_errors_total`,
    help: 'Model calls that failed (after retries), by kind.',
    labelNames: ['kind'],
  });
  const modelTokens = counterCells({
    registry,
    name: `${PREFIX}model_tokens_total`,
    help: 'Tokens of chat calls, as the model reported them: prompt or completion.',
    labelNames: ['kind'],
  });
  const storeSeconds = histogramCells({
    registry,
    name: `${PREFIX}store_seconds`,
    help: 'Store operations by name, failed ones included.',
    buckets: STORE_BUCKETS,
    labelName: 'op',
  });
  const storeErrors = counterCells({
    registry,
    name: `${PREFIX}store_errors_total`,
    help: 'Store operations that failed, by name.',
    labelNames: ['op'],
  });
  const pushes = counterCells({
    registry,
    name: `${PREFIX}pushes_total`,
    help: 'Late answers pushed with the customer-service API (pushed), or kept in the outbox because pushing failed (failed).',
    labelNames: ['result'],
  });
  const moderation = counterCells({
    registry,
    name: `${PREFIX}moderation_total`,
    help: 'Moderation hits: stage question|answer, action block|mask (the list and the rule are in the log).',
    labelNames: ['stage', 'action'],
  });

  let watched: Pick<Bot, 'inFlight' | 'llmInFlight' | 'pushing'> | undefined;
  new Gauge({
    name: `${PREFIX}jobs_in_flight`,
    help: 'Answers being prepared in this process (model calls, store writes, pushes).',
    registers,
    collect() {
      this.set(watched?.inFlight ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}model_calls_in_flight`,
    help: 'Model calls running now (limited by limits.maxConcurrentLlmCalls).',
    registers,
    collect() {
      this.set(watched?.llmInFlight ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}pushes_active`,
    help: 'Answers to be pushed once ready, or being pushed now.',
    registers,
    collect() {
      this.set(watched?.pushing ?? 0);
    },
  });

  // Cells that exist from the start at 0, so that rate() and alerts see the first event; the rest on first use.
  const avoided = errorPages('avoided');
  const happened = errorPages('happened');
  const pushed = pushes('pushed');
  const pushFailed = pushes('failed');
  const promptTokens = modelTokens('prompt');
  const completionTokens = modelTokens('completion');
  for (const op of TIMED_STORE_OPS) storeErrors(op);
  const attemptLabels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

  return {
    registry,
    async exposition() {
      const [own, processes] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return `${own}\n${processes}`;
    },
    answered(message: InboundMessage, outcome: AttemptOutcome, latencyMs: number, written: boolean) {
      const { delivery } = outcome;
      replies(delivery, attemptLabels[outcome.attempt] ?? String(outcome.attempt)).value += 1;
      if (written) observe(replySeconds, REPLY_BUCKETS, latencyMs / 1000);
      if (written && delivery !== 'dropped' && delivery !== 'repeat') {
        messages(typeLabel(message), outcome.meta.source).value += 1;
      }
      const page = errorPageOf(outcome, latencyMs, written, config.timing);
      if (page === 'avoided') avoided.value += 1;
      else if (page === 'happened') happened.value += 1;
    },
    refused(status: number, hidden: boolean) {
      refused(String(status)).value += 1;
      if (hidden) avoided.value += 1;
    },
    model: {
      call(kind, seconds, failed) {
        observe(modelSeconds(kind), MODEL_BUCKETS, seconds);
        if (failed) modelErrors(kind).value += 1;
      },
      tokens(prompt, completion) {
        promptTokens.value += prompt;
        completionTokens.value += completion;
      },
    },
    store(op, seconds, failed) {
      observe(storeSeconds(op), STORE_BUCKETS, seconds);
      if (failed) storeErrors(op).value += 1;
    },
    pushed({ outcome }) {
      (outcome.status === 'pushed' ? pushed : pushFailed).value += 1;
    },
    moderated({ stage, action }) {
      moderation(stage, action).value += 1;
    },
    watch(bot) {
      watched = bot;
    },
  };
}
