/** Runs doctor's checks side by side, each within its time limit, and reports them in the order given. */
import { WechatGptError } from '../errors.js';
import type { Check, CheckOutcome, CheckResult } from './types.js';

export interface RunChecksOptions {
  /** Each check's time limit (ms). */
  timeoutMs: number;
}

export function runChecks(checks: readonly Check[], { timeoutMs }: RunChecksOptions): Promise<CheckResult[]> {
  return Promise.all(checks.map((check) => runOne(check, timeoutMs)));
}

async function runOne(check: Check, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${timeoutMs} ms`));
      resolve({
        status: 'fail',
        summary: `no answer within ${formatDuration(timeoutMs)}`,
        hint: 'The service is slow or unreachable from this machine (network, proxy, firewall); or raise --timeout.',
      });
    }, timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([check.run(controller.signal).catch(toOutcome), late]);
    return { id: check.id, ...outcome };
  } finally {
    clearTimeout(timer);
    // A check that lost the race stops what it can.
    controller.abort();
  }
}

/** An error a check did not expect: a failure with its message and, for our errors, their hint. */
function toOutcome(error: unknown): CheckOutcome {
  const summary = error instanceof Error ? error.message : String(error);
  const hint = error instanceof WechatGptError ? error.hint : undefined;
  return { status: 'fail', summary, ...(hint ? { hint } : {}) };
}

/** `0.4 ms`, `12 ms`, `1.23 s`, `5 s`: latencies of loopback Redis and of a model, and time limits, all readable. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(2)} s`;
}
