/** Content safety: word lists (Aho–Corasick over normalized text) checked on questions and on the model's answers. */
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
export { loadWordLists, parseWordList, type WordList, type WordListSource } from './word-list.js';
