/**
 * What the knowledge base and the answer cache do around a model call (chat.ts calls `before` and `after`):
 * - a first-turn question (no conversation yet, text only) asked before, the same after normalisation, is answered
 *   from the cache: no retrieval, no model call. Cached answers live in the store (shared by every instance, with a
 *   TTL) under the knowledge base's version, so a rebuilt knowledge base never serves an answer from the old one.
 * - otherwise the question's passages are retrieved within kb.retrieveTimeoutMs (on the engine's clock) and given to
 *   the model with the instruction to answer from them and cite; the answer ends with the source titles. A slow or
 *   failing retrieval means answering without it, logged; so does an unavailable store for the cache.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../bot/clock.js';
import { within } from '../bot/deadline.js';
import type { StorePatience } from '../bot/store-patience.js';
import type { Logger, ResolvedConfig } from '../config.js';
import type { Store } from '../store/types.js';
import type { Knowledge } from './knowledge.js';
import { createSemanticCache } from './semantic-cache.js';
import type { Passage } from './types.js';

export type Prepared =
  | { kind: 'cached'; text: string }
  | {
      kind: 'grounded';
      instructions: string;
      /** The answer with its sources line. */
      finish(answer: string): string;
      passages: Passage[];
      kbMs: number;
      vector: Float32Array;
    }
  | { kind: 'plain'; kbMs?: number; vector?: Float32Array };

export interface KnowledgeStep {
  before(question: string, firstTurn: boolean): Promise<Prepared>;
  /** The model answered: a first-turn answer goes to the cache. */
  after(question: string, firstTurn: boolean, answer: string, prepared: Prepared | undefined): Promise<void>;
}

export interface KnowledgeStepDependencies {
  config: ResolvedConfig;
  store: Store;
  knowledge?: Knowledge;
  logger: Logger;
  clock: Clock;
  patience: StorePatience;
}

/** The same question, however it was typed: width, case, spaces and trailing punctuation do not count. */
export function normaliseQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/[?!.。？！~～…，,、]+$/u, '');
}

export function createKnowledgeStep({
  config,
  store,
  knowledge,
  logger,
  clock,
  patience,
}: KnowledgeStepDependencies): KnowledgeStep | undefined {
  const { cache, kb } = config;
  const caching = cache.ttlMs > 0;
  if (!caching && !knowledge) return undefined;

  const prefix = `answer-cache:${knowledge?.version ?? 'none'}:`;
  const questionHash = (question: string) => {
    const normalised = normaliseQuestion(question);
    if (!normalised || normalised.length > cache.maxQuestionChars) return undefined;
    return createHash('sha256').update(normalised).digest('hex').slice(0, 32);
  };
  const cacheKey = (question: string) => {
    const hash = questionHash(question);
    return hash ? `${prefix}${hash}` : undefined;
  };
  const semantic =
    caching && knowledge && cache.semanticThreshold !== undefined
      ? createSemanticCache({ store, patience, logger, key: `${prefix}recent`, ttlMs: cache.ttlMs })
      : undefined;

  async function retrieve(question: string): Promise<Exclude<Prepared, { kind: 'cached' }>> {
    if (!knowledge) return { kind: 'plain' };
    const started = clock.now();
    const controller = new AbortController();
    const raced = await within(
      knowledge.retrieve(question, { topK: kb.topK, minScore: kb.minScore, signal: controller.signal }),
      kb.retrieveTimeoutMs,
      clock,
    );
    const kbMs = clock.now() - started;
    if (!raced.ok) {
      controller.abort();
      const err =
        raced.reason === 'failed' ? (raced.error as Error).message : `no answer in ${kb.retrieveTimeoutMs} ms`;
      logger.warn({ kbMs, err }, 'knowledge base retrieval failed; answering without it');
      return { kind: 'plain', kbMs };
    }
    const { passages, embedMs, searchMs, vector } = raced.value;
    logger.info(
      { kbMs, embedMs, searchMs, passages: passages.map((p) => `${p.title} ${p.score.toFixed(3)}`) },
      'knowledge base retrieval',
    );
    if (passages.length === 0) return { kind: 'plain', kbMs, vector };
    return {
      kind: 'grounded',
      instructions: groundingText(kb.instructions, passages),
      finish: (answer) => `${answer}${footer(kb.sourcesLabel, passages, answer)}`,
      passages,
      kbMs,
      vector,
    };
  }

  return {
    async before(question, firstTurn) {
      const key = firstTurn && caching ? cacheKey(question) : undefined;
      if (key) {
        const read = await patience.wait(store.getValue(key));
        if (read.ok && read.value !== undefined) return { kind: 'cached', text: read.value };
      }
      const prepared = await retrieve(question);
      if (key && semantic && prepared.vector && cache.semanticThreshold !== undefined) {
        const similar = await semantic.find(prepared.vector, cache.semanticThreshold);
        const read = similar ? await patience.wait(store.getValue(`${prefix}${similar}`)) : undefined;
        if (read?.ok && read.value !== undefined) return { kind: 'cached', text: read.value };
      }
      return prepared;
    },
    async after(question, firstTurn, answer, prepared) {
      const hash = firstTurn && caching ? questionHash(question) : undefined;
      if (!hash) return;
      const written = await patience.wait(store.setValue(`${prefix}${hash}`, answer, cache.ttlMs));
      if (!written.ok) logger.warn({ reason: written.reason }, 'could not cache the answer');
      if (semantic && prepared?.kind !== 'cached' && prepared?.vector) await semantic.remember(hash, prepared.vector);
    },
  };
}

/** The instructions and the numbered passages, for the system message. */
export function groundingText(instructions: string, passages: Passage[]): string {
  const numbered = passages.map((p, i) => `[${i + 1}] 《${p.title}》\n${p.text}`);
  return `${instructions}\n\n${numbered.join('\n\n')}`;
}

/**
 * `\n\n来源：营业时间、退货政策`: the documents the answer cites ([1], [2]…), or all of them when it cites none by
 * number; each once, in the order of the passages.
 */
export function footer(label: string, passages: Passage[], answer: string): string {
  const cited = passages.filter((_, i) => answer.includes(`[${i + 1}]`));
  const titles = [...new Set((cited.length > 0 ? cited : passages).map((p) => p.title))];
  return `\n\n${label}${titles.join('、')}`;
}
