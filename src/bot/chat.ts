/** Answering with the model: the user's history, the right model for images, the concurrency cap, friendly failures. */
import type { Logger, ResolvedConfig } from '../config.js';
import { LlmError, StoreError } from '../errors.js';
import type { KnowledgeStep } from '../kb/answering.js';
import type { LlmClient } from '../llm/types.js';
import type { ChatTurn, Session, Store } from '../store/types.js';
import type { Clock } from './clock.js';
import { toWechatText } from './format.js';
import { boundTurns, hasImages, toLlmMessages } from './history.js';
import type { Semaphore } from './semaphore.js';
import { asIs, type StorePatience, storeUnavailable } from './store-patience.js';

export interface ChatAnswer {
  text: string;
  /** llm: the model answered; otherwise the kind of notice the user got instead. */
  source: 'llm' | 'llm-error' | 'cache' | 'busy' | 'not-configured' | 'moderation' | 'quota';
  meta: Record<string, string | number | boolean>;
  /** Tokens the model reported for this answer (daily budgets count them). */
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ChatDependencies {
  llm: LlmClient;
  store: Store;
  config: ResolvedConfig;
  semaphore: Semaphore;
  logger: Logger;
  clock: Clock;
  patience: StorePatience;
  /** The knowledge base and the answer cache, around the model call (src/kb/answering.ts). */
  knowledge?: KnowledgeStep | undefined;
}

const nothing = (): void => {};

export function createChat({ llm, store, config, semaphore, logger, clock, patience, knowledge }: ChatDependencies) {
  const now = clock.now;
  const { texts } = config;
  const keepTurns = (turns: readonly ChatTurn[]) => boundTurns(turns, config.session);
  /** How appendTurns keeps a conversation: the same for every answer, made once. */
  const appendOptions = { ttlMs: config.session.idleMs, keep: keepTurns };

  /** The conversation so far; a store that cannot answer in time means answering without it, not failing. */
  function readSession(openid: string): Promise<Session | undefined> {
    return patience.handle(store.getSession(openid), asIs, (error, reason) => {
      if (!storeUnavailable(error, reason)) throw error;
      logger.warn({ openid }, 'could not read the conversation; answering without it');
      return undefined;
    });
  }

  /**
   * Adds the question and its answer to the conversation; a store outage (or a store too slow to wait for), or any
   * other failure, forgets them, logged, and never fails the answer. Appended to the conversation as it is now, not
   * to the snapshot read before the model was called: another message of this user may have finished meanwhile, and
   * its turns must not be overwritten. One step on the store's promise, no async frame: this runs on every model
   * answer.
   */
  function remember(openid: string, userTurn: ChatTurn, answer: string): Promise<void> {
    const assistantTurn: ChatTurn = { role: 'assistant', content: answer, at: now() };
    return patience.handle(
      store.appendTurns(openid, [userTurn, assistantTurn], appendOptions),
      nothing,
      (error, reason) => {
        if (!storeUnavailable(error, reason)) {
          // Not the store being down: a bug, logged as one. The answer is ready and still goes out.
          logger.error({ openid, err: (error as Error)?.message ?? String(error) }, 'saving the conversation failed');
          return;
        }
        const { code, message } = error instanceof StoreError ? error : { code: undefined, message: undefined };
        logger.warn(
          { openid, code, err: message ?? 'no answer in time' },
          'could not save the conversation; answering anyway',
        );
      },
    );
  }

  return async function answerWithModel(openid: string, content: ChatTurn['content']): Promise<ChatAnswer> {
    if (!llm.configured) return { text: texts.notConfigured, source: 'not-configured', meta: {} };
    const release = semaphore.tryAcquire();
    if (!release) return { text: texts.busy, source: 'busy', meta: { inFlight: semaphore.inUse } };
    try {
      const session = await readSession(openid);
      const userTurn: ChatTurn = { role: 'user', content, at: now() };
      const question = typeof content === 'string' ? content : undefined;
      const firstTurn = !session?.turns.length;
      const prepared = question !== undefined && knowledge ? await knowledge.before(question, firstTurn) : undefined;
      if (prepared?.kind === 'cached') {
        await remember(openid, userTurn, prepared.text);
        return { text: toWechatText(prepared.text), source: 'cache', meta: {} };
      }
      const turns = boundTurns(session ? [...session.turns, userTurn] : [userTurn], config.session);
      const model = hasImages(turns) ? config.llm.visionModel : config.llm.model;
      const systemPrompt =
        prepared?.kind === 'grounded'
          ? `${config.llm.systemPrompt}\n\n${prepared.instructions}`
          : config.llm.systemPrompt;
      const result = await llm.chat({ messages: toLlmMessages(systemPrompt, turns), model });
      const answer = prepared?.kind === 'grounded' ? prepared.finish(result.text) : result.text;
      // The answer matters more than the memory of it: a slow store does not hold it up (the save goes on).
      await remember(openid, userTurn, answer);
      // Only with a knowledge step: awaiting nothing would still cost a turn of the microtask queue per answer.
      if (knowledge && question !== undefined) await knowledge.after(question, firstTurn, answer, prepared);
      const llmMs = Math.round(result.latencyMs);
      // Literals of fixed shapes rather than spreads: one hidden class each, nothing built to be copied.
      const meta: ChatAnswer['meta'] =
        prepared?.kbMs === undefined
          ? { model: result.model, llmMs }
          : {
              model: result.model,
              llmMs,
              kbMs: prepared.kbMs,
              kbPassages: prepared.kind === 'grounded' ? prepared.passages.length : 0,
            };
      return { text: toWechatText(answer), source: 'llm', meta, usage: result.usage };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      logger.warn({ openid, code: error.code, kind: error.kind, err: error.message, hint: error.hint }, 'llm failed');
      const text = error.kind === 'not_configured' ? texts.notConfigured : texts.llmErrors[error.kind];
      return { text, source: 'llm-error', meta: { llmError: error.kind } };
    } finally {
      release();
    }
  };
}

export type AnswerWithModel = ReturnType<typeof createChat>;
