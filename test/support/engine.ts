/**
 * The engine on fake timers, at WeChat's real timing (5 s timeout, 4.5 s budget, 3 attempts): the real bot and the
 * real memory store, a model that answers after a scripted delay on the same clock, and WeChat's side of one message
 * (drop at 5 s, retry at once, 3 attempts) driving bot.respond as the webhook does. Time only moves when a test
 * advances it, so the attempt arithmetic is exact and nothing depends on how loaded the machine is.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import type { AttemptOutcome } from '../../src/bot/attempts.js';
import { type Bot, createBot } from '../../src/bot/bot.js';
import type { MessageRecord } from '../../src/bot/types.js';
import { type Logger, resolveConfig, type WechatGptConfig } from '../../src/config.js';
import { LlmError } from '../../src/errors.js';
import type { LlmClient } from '../../src/llm/types.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore, type MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import type { WechatApi } from '../../src/wechat-api/types.js';

export const REAL_TIMING = { wechatTimeoutMs: 5000, replyBudgetMs: 4500, attempts: 3 } as const;
/** A whole second, so CreateTime (seconds) is exact. */
export const EPOCH = new Date('2026-06-01T08:00:00.000Z');

export interface ModelScript {
  /** The answer (default: "answer:<question>"). */
  reply?: string;
  /** How long the model takes, on the fake clock. */
  delayMs?: number;
  /** Fail with this kind of LlmError instead. */
  fail?: 'server' | 'timeout';
}

/** A model on the fake clock: the questions it got, and a script per question (or a default). */
export interface ScriptedModel extends LlmClient {
  questions: string[];
  script(question: string, script: ModelScript): void;
  setDefault(script: ModelScript): void;
}

export function scriptedModel(): ScriptedModel {
  const scripts = new Map<string, ModelScript>();
  let fallback: ModelScript = { delayMs: 100 };
  const questions: string[] = [];
  return {
    configured: true,
    model: 'test-model',
    baseUrl: 'http://model.invalid',
    questions,
    script: (question, script) => void scripts.set(question, script),
    setDefault: (script) => {
      fallback = script;
    },
    async chat({ messages }) {
      const last = messages.at(-1);
      const question = typeof last?.content === 'string' ? last.content : '[parts]';
      questions.push(question);
      const { reply = `answer:${question}`, delayMs = 100, fail } = scripts.get(question) ?? fallback;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (fail) throw new LlmError(fail, `scripted ${fail}`);
      return { text: reply, model: 'test-model', latencyMs: delayMs };
    },
    async transcribe() {
      return '';
    },
    async generateImage() {
      return Buffer.alloc(0);
    },
  };
}

/** What one attempt got. */
export interface SeenAttempt {
  n: number;
  /** Offset from the message's first attempt, ms. */
  at: number;
  /** 'dropped': WeChat hung up at its timeout. */
  outcome: 'reply' | 'dropped';
  text?: string;
  replyType?: string;
  delivery?: AttemptOutcome['delivery'];
  source?: string;
  /** How long the attempt took, ms. */
  tookMs: number;
}

export interface Sent {
  attempts: SeenAttempt[];
  /** What the user sees: the text, '' for success, or WeChat's error page when every attempt was dropped. */
  userSees: string;
  errorPage: boolean;
  msgId: string;
}

export const ERROR_PAGE = '该公众号暂时无法提供服务，请稍后再试';

let msgIds = 7_100_000_000_000_000_000n;
let users = 0;
export const engineUser = () => `oEngine${++users}`;

export interface EngineOptions {
  config?: Partial<WechatGptConfig>;
  store?: Store;
  wechatApi?: WechatApi;
  /** Where the bot logs (default: nowhere). */
  logger?: Logger;
}

export interface Engine {
  bot: Bot;
  store: Store;
  model: ScriptedModel;
  records: MessageRecord[];
  /** WeChat delivering one message (retries and all), as a promise; advance the clock to let it finish. */
  deliver(content: string | Partial<InboundMessage>, options?: DeliverOptions): Promise<Sent>;
  /** deliver() and advance the clock until it is done (up to 60 s of fake time). */
  send(content: string | Partial<InboundMessage>, options?: DeliverOptions): Promise<Sent>;
  close(): Promise<void>;
}

export interface DeliverOptions {
  user?: string;
  msgId?: string;
  /** Attempts WeChat makes (3). */
  attempts?: number;
}

/** Starts fake timers at EPOCH; call vi.useRealTimers() after. */
export function useEngineClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(EPOCH);
}

/** A fresh engine on the fake clock for each test of the describe block (handed to `use`), closed after it. */
export function engineForEachTest(use: (engine: Engine) => void, options: EngineOptions = {}): void {
  let current: Engine | undefined;
  beforeEach(() => {
    useEngineClock();
    current = startEngine(options);
    use(current);
  });
  afterEach(async () => {
    await current?.close();
    vi.useRealTimers();
  });
}

/** Lets the fake clock run until the promise settles (at most maxMs of fake time). */
export async function settle<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  for (let spent = 0; !done && spent < maxMs; spent += 50) await vi.advanceTimersByTimeAsync(50);
  return tracked;
}

export function startEngine({ config = {}, store, wechatApi, logger = silentLogger }: EngineOptions = {}): Engine {
  const model = scriptedModel();
  const memory: MemoryStore | undefined = store ? undefined : createMemoryStore();
  const used = store ?? memory!;
  const records: MessageRecord[] = [];
  const resolved = resolveConfig({
    ...config,
    wechat: { token: 'engineToken1', ...config.wechat },
    llm: { apiKey: 'sk-test', model: 'test-model', ...config.llm },
    timing: { ...REAL_TIMING, ...config.timing },
  });
  const bot = createBot({
    config: resolved,
    store: used,
    llm: model,
    logger,
    ...(wechatApi ? { wechatApi } : {}),
    onMessage: (record) => records.push(record),
  });
  const defaultUser = engineUser();

  async function deliver(content: string | Partial<InboundMessage>, options: DeliverOptions = {}): Promise<Sent> {
    const user = options.user ?? defaultUser;
    const msgId = options.msgId ?? String(++msgIds);
    const createTime = Math.floor(Date.now() / 1000);
    const message = {
      ...(typeof content === 'string' ? { type: 'text' as const, content } : content),
      fromUser: user,
      toUser: 'gh_engine',
      createTime,
      msgId,
    } as InboundMessage;
    const started = Date.now();
    const attempts: SeenAttempt[] = [];
    const total = options.attempts ?? resolved.timing.attempts;
    for (let n = 1; n <= total; n++) {
      const controller = new AbortController();
      const receivedAt = Date.now();
      const drop = setTimeout(() => controller.abort(), resolved.timing.wechatTimeoutMs);
      const outcome = await bot.respond(message, { signal: controller.signal, receivedAt });
      const aborted = controller.signal.aborted;
      clearTimeout(drop);
      const tookMs = Date.now() - receivedAt;
      if (aborted || !outcome.reply) {
        attempts.push({ n, at: receivedAt - started, outcome: 'dropped', tookMs });
        continue;
      }
      outcome.written?.();
      const reply = outcome.reply;
      const text = reply.type === 'text' ? reply.content : reply.type === 'success' ? '' : `[${reply.type}]`;
      attempts.push({
        n,
        at: receivedAt - started,
        outcome: 'reply',
        text,
        replyType: reply.type,
        delivery: outcome.delivery,
        source: outcome.meta.source,
        tookMs,
      });
      return { attempts, userSees: text, errorPage: false, msgId };
    }
    return { attempts, userSees: ERROR_PAGE, errorPage: true, msgId };
  }

  return {
    bot,
    store: used,
    model,
    records,
    deliver,
    send: (content, options) => settle(deliver(content, options)),
    async close() {
      bot.shutdown();
      await settle(bot.drain(30_000));
      bot.close();
      if (memory) await memory.close();
    },
  };
}
