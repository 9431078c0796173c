/** Copying an answer, which the engine and the stores do on every model answer. */
import type { JobResult } from './types.js';

/**
 * A copy of an answer with its question set, field by field: a literal of one shape, several times cheaper than
 * Object.assign (which walks the source's properties generically). The type check lists every field of JobResult, so
 * a new one cannot be left out.
 */
export function copyResult(result: JobResult, question: string | undefined): JobResult {
  return {
    reply: result.reply,
    morePages: result.morePages,
    question,
    pushText: result.pushText,
    claims: result.claims,
    meta: result.meta,
  } satisfies Record<keyof JobResult, unknown>;
}
