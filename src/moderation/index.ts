/** Content safety: word lists (Aho–Corasick over normalized text) and OpenAI's moderation endpoint, on questions and answers. */
export { createWordMatcher, maskHits, type WordHit, type WordMatcher } from './matcher.js';
export {
  type AnswerVerdict,
  createModeration,
  type Moderation,
  type ModerationEvent,
  type ModerationOptions,
  type QuestionVerdict,
} from './moderation.js';
export { normalizeForMatching } from './normalize.js';
export {
  createOpenAIModeration,
  type ModerationProvider,
  type OpenAIModerationOptions,
  type ProviderVerdict,
} from './openai.js';
export { loadWordLists, parseWordList, type WordList, type WordListSource } from './word-list.js';
