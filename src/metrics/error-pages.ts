/**
 * Whether an answered attempt spared the user WeChat's error page (「该公众号暂时无法提供服务」) or could not. WeChat shows
 * it when its last attempt gets no answer in time; earlier attempts that time out are only retried.
 */
import type { AttemptOutcome } from '../bot/attempts.js';
import type { ResolvedConfig } from '../config.js';

export type ErrorPage = 'avoided' | 'happened';

/**
 * happened: the last attempt was dropped or answered after WeChat's timeout. avoided: an answer that was not ready on
 * the first attempt still reached WeChat in time — a held attempt answered on a retry, the thinking notice (outbox),
 * `success` with the answer pushed, or a notice in place of a failure (store down, internal error). undefined: an
 * ordinary answer, or an earlier attempt WeChat retries.
 */
export function errorPageOf(
  outcome: Pick<AttemptOutcome, 'attempt' | 'delivery' | 'meta'>,
  latencyMs: number,
  written: boolean,
  timing: Pick<ResolvedConfig['timing'], 'attempts' | 'wechatTimeoutMs'>,
): ErrorPage | undefined {
  if (!written || latencyMs > timing.wechatTimeoutMs) {
    return outcome.attempt >= timing.attempts ? 'happened' : undefined;
  }
  switch (outcome.delivery) {
    case 'retry':
    case 'outbox':
    case 'push':
      return 'avoided';
    default:
      return outcome.meta.source === 'store-down' || outcome.meta.source === 'error' ? 'avoided' : undefined;
  }
}
