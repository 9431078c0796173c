/** Answering with the model: the user's history, the right model for images, the concurrency cap, friendly failures. */
import type { Logger, ResolvedConfig } from '../config.js';
import { LlmError, StoreError } from '../errors.js';
import type { LlmClient } from '../llm/types.js';
import type { ChatTurn, Store } from '../store/types.js';
import { toWechatText } from './format.js';
import { appendTurns, boundTurns, hasImages, toLlmMessages } from './history.js';
import type { Semaphore } from './semaphore.js';

export interface ChatAnswer {
  text: string;
  /** llm: the model answered; otherwise the kind of notice the user got instead. */
  source: 'llm' | 'llm-error' | 'busy' | 'not-configured';
  meta: Record<string, string | number | boolean>;
}

export interface ChatDependencies {
  llm: LlmClient;
  store: Store;
  config: ResolvedConfig;
  semaphore: Semaphore;
  logger: Logger;
  now: () => number;
}

export function createChat({ llm, store, config, semaphore, logger, now }: ChatDependencies) {
  const { texts } = config;

  return async function answerWithModel(openid: string, content: ChatTurn['content']): Promise<ChatAnswer> {
    if (!llm.configured) return { text: texts.notConfigured, source: 'not-configured', meta: {} };
    const release = semaphore.tryAcquire();
    if (!release) return { text: texts.busy, source: 'busy', meta: { inFlight: semaphore.inUse } };
    try {
      const session = await store.getSession(openid);
      const userTurn: ChatTurn = { role: 'user', content, at: now() };
      const turns = boundTurns([...(session?.turns ?? []), userTurn], config.session);
      const model = hasImages(turns) ? config.llm.visionModel : config.llm.model;
      const result = await llm.chat({ messages: toLlmMessages(config.llm.systemPrompt, turns), model });
      const text = toWechatText(result.text);
      const answerTurn: ChatTurn = { role: 'assistant', content: result.text, at: now() };
      try {
        // Read the conversation again: another message of this user may have finished while the model was thinking,
        // and its turns must not be overwritten with the snapshot taken before.
        const latest = await store.getSession(openid);
        const next = appendTurns(latest, [userTurn, answerTurn], now());
        await store.setSession(
          openid,
          { ...next, turns: boundTurns(next.turns, config.session) },
          config.session.idleMs,
        );
      } catch (error) {
        // The answer matters more than the memory of it: deliver it, and let the conversation forget this turn.
        if (!(error instanceof StoreError)) throw error;
        logger.warn(
          { openid, code: error.code, err: error.message },
          'could not save the conversation; answering anyway',
        );
      }
      return { text, source: 'llm', meta: { model: result.model, llmMs: Math.round(result.latencyMs) } };
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
