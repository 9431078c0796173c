/**
 * Moderation as the engine uses it: a question is allowed or refused before the model is called; the model's whole
 * answer is allowed, masked or replaced before it is paged, so every way a page reaches the user (the passive reply,
 * the continue word's outbox, a push) carries the checked text. Each block or mask is logged with the list and the
 * rule (never the user's text) and handed to `onEvent`, where a metrics counter can hook in.
 */
import { type Clock, systemClock } from '../bot/clock.js';
import { within } from '../bot/deadline.js';
import type { Logger, ResolvedConfig } from '../config.js';
import { createWordMatcher, maskHits, type WordHit, type WordMatcher } from './matcher.js';
import type { ModerationProvider } from './openai.js';
import { loadWordLists, type WordList } from './word-list.js';

export type ModerationStage = 'question' | 'answer';

/** One decision that changed what the user gets. */
export interface ModerationEvent {
  stage: ModerationStage;
  action: 'block' | 'mask';
  /** The first matched word's list and the word as written there; for the endpoint, "openai" and its categories. */
  list: string;
  rule: string;
  /** How many listed words were found (1 for the endpoint). */
  hits: number;
}

export type QuestionVerdict = { kind: 'allow' } | { kind: 'block'; text: string; event: ModerationEvent };
export type AnswerVerdict =
  | { kind: 'allow'; text: string }
  | { kind: 'mask' | 'block'; text: string; event: ModerationEvent };

export interface Moderation {
  /** False when no list has a word and no endpoint is used: the checks then cost nothing. */
  readonly enabled: boolean;
  checkQuestion(text: string): Promise<QuestionVerdict>;
  /** `text` of the verdict is what the user may see. */
  checkAnswer(text: string): Promise<AnswerVerdict>;
}

export interface ModerationOptions {
  config: Pick<ResolvedConfig, 'moderation' | 'texts'>;
  logger: Logger;
  /** Word lists already loaded (default: read from config.moderation.lists, files included). */
  lists?: WordList[];
  onEvent?: (event: ModerationEvent) => void;
  /** The moderation endpoint (moderation.provider: openai). */
  provider?: ModerationProvider;
  /** The clock the endpoint's time limit runs on. */
  clock?: Clock;
}

export function createModeration({
  config,
  logger,
  lists,
  onEvent,
  provider,
  clock = systemClock,
}: ModerationOptions): Moderation {
  const { moderation, texts } = config;
  const matcher: WordMatcher = createWordMatcher(lists ?? loadWordLists(moderation.lists));
  const { check, timeoutMs, onTimeout } = moderation.openai;
  const endpointChecks = (stage: ModerationStage) =>
    provider !== undefined && (check === 'both' || check === `${stage}s`);

  function emit(event: ModerationEvent): ModerationEvent {
    logger.info({ moderation: event }, `moderation: ${event.stage} ${event.action === 'block' ? 'blocked' : 'masked'}`);
    onEvent?.(event);
    return event;
  }

  function report(stage: ModerationStage, action: ModerationEvent['action'], hits: WordHit[]): ModerationEvent {
    const [first] = hits as [WordHit];
    return emit({ stage, action, list: first.list, rule: first.rule, hits: hits.length });
  }

  /** The endpoint's verdict: flagged (an event) or not; a timeout or failure follows onTimeout. */
  async function askEndpoint(stage: ModerationStage, text: string): Promise<ModerationEvent | undefined> {
    if (!provider || !endpointChecks(stage)) return undefined;
    const controller = new AbortController();
    const raced = await within(provider(text, controller.signal), timeoutMs, clock);
    // Nobody needs a late verdict: the policy has decided.
    if (!raced.ok) controller.abort();
    if (raced.ok) {
      if (!raced.value.flagged) return undefined;
      return emit({
        stage,
        action: 'block',
        list: 'openai',
        rule: raced.value.categories.join(',') || 'flagged',
        hits: 1,
      });
    }
    const err = raced.reason === 'timeout' ? `no answer within ${timeoutMs} ms` : String(raced.error);
    logger.warn(
      { err, stage, policy: onTimeout },
      `moderation endpoint failed: ${onTimeout === 'allow' ? 'allowed' : 'blocked'}`,
    );
    if (onTimeout === 'allow') return undefined;
    return emit({ stage, action: 'block', list: 'openai', rule: raced.reason, hits: 1 });
  }

  return {
    enabled: matcher.size > 0 || provider !== undefined,
    async checkQuestion(text) {
      if (moderation.questions === 'off') return { kind: 'allow' };
      const hits = matcher.find(text);
      if (hits.length > 0)
        return { kind: 'block', text: texts.questionBlocked, event: report('question', 'block', hits) };
      const flagged = await askEndpoint('question', text);
      return flagged ? { kind: 'block', text: texts.questionBlocked, event: flagged } : { kind: 'allow' };
    },
    async checkAnswer(text) {
      if (moderation.answers === 'off') return { kind: 'allow', text };
      const hits = matcher.find(text);
      if (hits.length > 0 && moderation.answers === 'block') {
        return { kind: 'block', text: texts.answerBlocked, event: report('answer', 'block', hits) };
      }
      const flagged = await askEndpoint('answer', text);
      if (flagged) return { kind: 'block', text: texts.answerBlocked, event: flagged };
      if (hits.length === 0) return { kind: 'allow', text };
      return { kind: 'mask', text: maskHits(text, hits), event: report('answer', 'mask', hits) };
    },
  };
}
