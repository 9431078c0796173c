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
