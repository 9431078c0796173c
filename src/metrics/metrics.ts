/**
 * The bot's Prometheus metrics, in a registry of its own (several bots in one process, or in one test run, never
 * share or collide). The hot path only increments: label children are created once and looked up in small maps, the
 * gauges of things in flight are read at scrape time.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptOutcome } from '../bot/attempts.js';
import type { Bot } from '../bot/bot.js';
import type { PushedAnswer } from '../bot/jobs.js';
import { describeMessageType } from '../bot/preview.js';
import type { ResolvedConfig } from '../config.js';
import type { WebhookMeter } from '../server/observer.js';
import type { InboundMessage } from '../wechat/types.js';
import { errorPageOf } from './error-pages.js';
import type { ModelMeter } from './llm.js';
import { type StoreMeter, type StoreOp, TIMED_STORE_OPS } from './store.js';

const PREFIX = 'wechat_gpt_';

/** Around WeChat's 5 s: what matters is which side of it an answer lands. */
const REPLY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 10, 15];
const MODEL_BUCKETS = [0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 30, 60];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface BotMetrics extends WebhookMeter {
  readonly registry: Registry;
  readonly model: ModelMeter;
  readonly store: StoreMeter;
  /** Told of each pushed answer (or push that fell back to the outbox). */
  pushed(pushed: PushedAnswer): void;
  /** Reads the bot's gauges (jobs and model calls in flight, pushes waiting) at each scrape. */
  watch(bot: Pick<Bot, 'inFlight' | 'llmInFlight' | 'pushing'>): void;
}

/** A counter child per label combination, made on first use and reused. */
function childCache<T>(make: (a: string, b: string) => T): (a: string, b: string) => T {
  const outer = new Map<string, Map<string, T>>();
  return (a, b) => {
    let inner = outer.get(a);
    if (!inner) {
      inner = new Map();
      outer.set(a, inner);
    }
    let child = inner.get(b);
    if (!child) {
      child = make(a, b);
      inner.set(b, child);
    }
    return child;
  };
}

/** The label of a message's type: text, image, voice…, event:subscribe, event:CLICK…; unknown types as one value. */
function typeLabel(message: InboundMessage): string {
  if (message.type === 'unknown') return 'unknown';
  // Event names outside the known ones are free text: one label value for them all keeps the series bounded.
  if (message.type === 'event' && message.event === 'other') return 'event:other';
  return describeMessageType(message);
}

export function createMetrics(config: Pick<ResolvedConfig, 'timing'>): BotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const messages = new Counter({
    name: `${PREFIX}messages_total`,
    help: 'Messages answered, by type and by what produced the answer (llm, keyword, command, thinking…); one per message, on the attempt that answered it.',
    labelNames: ['type', 'source'] as const,
    registers,
  });
  const replies = new Counter({
    name: `${PREFIX}replies_total`,
    help: "WeChat's attempts by how they were answered: delivery passive|retry|outbox|push|repeat|dropped, and the attempt number.",
    labelNames: ['delivery', 'attempt'] as const,
    registers,
  });
  const errorPages = new Counter({
    name: `${PREFIX}error_pages_total`,
    help: "WeChat's error page: avoided (a late answer reached WeChat in time: on a retry, as the notice, pushed) or happened (the last attempt went unanswered in time).",
    labelNames: ['outcome'] as const,
    registers,
  });
  const refused = new Counter({
    name: `${PREFIX}webhook_refused_total`,
    help: 'Webhook requests refused, by HTTP status (a failure past the signature check is answered 200 success, counted as status 500).',
    labelNames: ['status'] as const,
    registers,
  });
  const replySeconds = new Histogram({
    name: `${PREFIX}reply_seconds`,
    help: "From an attempt's arrival to its reply written.",
    buckets: REPLY_BUCKETS,
    registers,
  });
  const modelSeconds = new Histogram({
    name: `${PREFIX}model_seconds`,
    help: 'Model calls by kind (chat, transcribe, image) and result (ok, error), retries included.',
    labelNames: ['kind', 'result'] as const,
    buckets: MODEL_BUCKETS,
    registers,
  });
  const modelTokens = new Counter({
    name: `${PREFIX}model_tokens_total`,
    help: 'Tokens of chat calls, as the model reported them: prompt or completion.',
    labelNames: ['kind'] as const,
    registers,
  });
  const storeSeconds = new Histogram({
    name: `${PREFIX}store_seconds`,
    help: 'Store operations by name, failed ones included.',
    labelNames: ['op'] as const,
    buckets: STORE_BUCKETS,
    registers,
  });
  const storeErrors = new Counter({
    name: `${PREFIX}store_errors_total`,
    help: 'Store operations that failed, by name.',
    labelNames: ['op'] as const,
    registers,
  });
  const pushes = new Counter({
    name: `${PREFIX}pushes_total`,
    help: 'Late answers pushed with the customer-service API (pushed), or kept in the outbox because pushing failed (failed).',
    labelNames: ['result'] as const,
    registers,
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

  const messageChild = childCache((type, source) => messages.labels(type, source));
  const replyChild = childCache((delivery, attempt) => replies.labels(delivery, attempt));
  const avoided = errorPages.labels('avoided');
  const happened = errorPages.labels('happened');
  const refusedChild = childCache((status) => refused.labels(status));
  const modelChild = childCache((kind, result) => modelSeconds.labels(kind, result));
  const promptTokens = modelTokens.labels('prompt');
  const completionTokens = modelTokens.labels('completion');
  const storeChildren = new Map<StoreOp, { seconds: Histogram.Internal<'op'>; errors: Counter.Internal }>(
    TIMED_STORE_OPS.map((op) => [op, { seconds: storeSeconds.labels(op), errors: storeErrors.labels(op) }]),
  );
  // Series that exist from the start at 0, so that rate() and alerts see the first event.
  for (const outcome of ['avoided', 'happened']) errorPages.inc({ outcome }, 0);
  for (const result of ['pushed', 'failed']) pushes.inc({ result }, 0);
  for (const kind of ['prompt', 'completion']) modelTokens.inc({ kind }, 0);
  for (const op of TIMED_STORE_OPS) storeErrors.inc({ op }, 0);
  const attemptLabels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

  return {
    registry,
    answered(message: InboundMessage, outcome: AttemptOutcome, latencyMs: number, written: boolean) {
      const { delivery } = outcome;
      replyChild(delivery, attemptLabels[outcome.attempt] ?? String(outcome.attempt)).inc();
      if (written) replySeconds.observe(latencyMs / 1000);
      if (written && delivery !== 'dropped' && delivery !== 'repeat') {
        messageChild(typeLabel(message), outcome.meta.source).inc();
      }
      const page = errorPageOf(outcome, latencyMs, written, config.timing);
      if (page === 'avoided') avoided.inc();
      else if (page === 'happened') happened.inc();
    },
    refused(status: number, hidden: boolean) {
      refusedChild(String(status), '').inc();
      if (hidden) avoided.inc();
    },
    model: {
      call(kind, seconds, failed) {
        modelChild(kind, failed ? 'error' : 'ok').observe(seconds);
      },
      tokens(prompt, completion) {
        promptTokens.inc(prompt);
        completionTokens.inc(completion);
      },
    },
    store(op, seconds, failed) {
      const child = storeChildren.get(op);
      child?.seconds.observe(seconds);
      if (failed) child?.errors.inc();
    },
    pushed({ outcome }) {
      pushes.labels(outcome.status).inc();
    },
    watch(bot) {
      watched = bot;
    },
  };
}
