/**
 * Moderation as the engine uses it: a question is allowed or refused before the model is called; the model's whole
 * answer is allowed, masked or replaced before it is paged, so every way a page reaches the user (the passive reply,
 * the continue word's outbox, a push) carries the checked text. Each block or mask is logged with the list and the
 * rule (never the user's text) and handed to `onEvent`, where a metrics counter can hook in.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { createWordMatcher, maskHits, type WordHit, type WordMatcher } from './matcher.js';
import { loadWordLists, type WordList } from './word-list.js';

export type ModerationStage = 'question' | 'answer';

/** One decision that changed what the user gets. */
export interface ModerationEvent {
  stage: ModerationStage;
  action: 'block' | 'mask';
  /** The first matched word's list and the word as written there. */
  list: string;
  rule: string;
  /** How many listed words were found. */
  hits: number;
}

export type QuestionVerdict = { kind: 'allow' } | { kind: 'block'; text: string; event: ModerationEvent };
export type AnswerVerdict =
  | { kind: 'allow'; text: string }
  | { kind: 'mask' | 'block'; text: string; event: ModerationEvent };

export interface Moderation {
  /** False when no list has a word: the checks then cost nothing. */
  readonly enabled: boolean;
  checkQuestion(text: string): QuestionVerdict;
  /** `text` of the verdict is what the user may see. */
  checkAnswer(text: string): AnswerVerdict;
}

export interface ModerationOptions {
  config: Pick<ResolvedConfig, 'moderation' | 'texts'>;
  logger: Logger;
  /** Word lists already loaded (default: read from config.moderation.lists, files included). */
  lists?: WordList[];
  onEvent?: (event: ModerationEvent) => void;
}

export function createModeration({ config, logger, lists, onEvent }: ModerationOptions): Moderation {
  const { moderation, texts } = config;
  const matcher: WordMatcher = createWordMatcher(lists ?? loadWordLists(moderation.lists));

  function report(stage: ModerationStage, action: ModerationEvent['action'], hits: WordHit[]): ModerationEvent {
    const [first] = hits as [WordHit];
    const event: ModerationEvent = { stage, action, list: first.list, rule: first.rule, hits: hits.length };
    logger.info({ moderation: event }, `moderation: ${stage} ${action === 'block' ? 'blocked' : 'masked'}`);
    onEvent?.(event);
    return event;
  }

  return {
    enabled: matcher.size > 0,
    checkQuestion(text) {
      if (moderation.questions === 'off') return { kind: 'allow' };
      const hits = matcher.find(text);
      if (hits.length === 0) return { kind: 'allow' };
      return { kind: 'block', text: texts.questionBlocked, event: report('question', 'block', hits) };
    },
    checkAnswer(text) {
      if (moderation.answers === 'off') return { kind: 'allow', text };
      const hits = matcher.find(text);
      if (hits.length === 0) return { kind: 'allow', text };
      if (moderation.answers === 'block') {
        return { kind: 'block', text: texts.answerBlocked, event: report('answer', 'block', hits) };
      }
      return { kind: 'mask', text: maskHits(text, hits), event: report('answer', 'mask', hits) };
    },
  };
}
