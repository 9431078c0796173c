/** A text answer as a job result: split into pages, the first is the reply, the rest wait for the continue word. */
import type { ResolvedConfig } from '../config.js';
import { shallowCopy } from '../shallow-copy.js';
import type { AnswerMeta, AnswerSource, JobResult } from '../store/types.js';
import type { Reply } from '../wechat/types.js';
import { paginate } from './paging.js';
import { fillTemplate } from './texts.js';

export type TextResult = (text: string, source: AnswerSource, meta?: Omit<AnswerMeta, 'source'>) => JobResult;

export function createTextResult({ texts, limits }: ResolvedConfig): TextResult {
  return function textResult(text, source, meta = {}) {
    const pages = paginate(text, {
      maxBytes: limits.maxReplyBytes,
      hint: (page, total) => fillTemplate(texts.morePages, { page, next: page + 1, pages: total }),
    });
    const [first = texts.internalError, ...rest] = pages;
    return {
      reply: { type: 'text', content: first },
      ...(rest.length ? { morePages: rest.map((content): Reply => ({ type: 'text', content })), pushText: text } : {}),
      meta: shallowCopy(meta, { source, pages: pages.length }),
    };
  };
}

/** How many texts of one source a FixedResults keeps (rules and welcome texts are few; scene values could be many). */
const FIXED_RESULTS_KEPT = 256;

/**
 * The answer to a text that does not change between messages (a keyword rule's, the welcome, the help text), paged
 * once and shared by every message that gets it: frozen, so no step can change it for the next one.
 */
export function createFixedResults(textResult: TextResult): (text: string, source: AnswerSource) => JobResult {
  const bySource = new Map<AnswerSource, Map<string, JobResult>>();
  return function fixedResult(text, source) {
    let made = bySource.get(source);
    if (!made) {
      made = new Map();
      bySource.set(source, made);
    }
    const known = made.get(text);
    if (known) return known;
    if (made.size >= FIXED_RESULTS_KEPT) made.clear();
    const result = freezeResult(textResult(text, source));
    made.set(text, result);
    return result;
  };
}

function freezeResult(result: JobResult): JobResult {
  Object.freeze(result.reply);
  Object.freeze(result.meta);
  if (result.morePages) {
    for (const page of result.morePages) Object.freeze(page);
    Object.freeze(result.morePages);
  }
  return Object.freeze(result);
}
