/** The shape of one `doctor` check and its result: what `doctor` prints and `serve` warns about. */

export type CheckId = 'config' | 'model' | 'wechat-api' | 'redis' | 'ngrok' | 'public-url' | 'ffmpeg' | 'clock';

/** ok: works; fail: will not work as configured (doctor exits 1); skip: not configured or not needed, so not checked. */
export type CheckStatus = 'ok' | 'fail' | 'skip';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** What to do next (for a failure), or a note worth knowing. */
  hint?: string;
  /** How long the remote call being checked took (a model's completion, a token fetch, a PING). */
  latencyMs?: number;
}

/** What a check's body returns; the runner adds the id. */
export type CheckOutcome = Omit<CheckResult, 'id'>;

export interface Check {
  id: CheckId;
  /**
   * Runs the check. The signal aborts when the time limit passes; the runner then reports a failure whether or not
   * the check stops (ngrok's connect cannot be cancelled), so one hung service never holds up the others.
   */
  run(signal: AbortSignal): Promise<CheckOutcome>;
}

export const ok = (summary: string, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: 'ok',
  summary,
  ...extra,
});
export const fail = (summary: string, hint?: string, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: 'fail',
  summary,
  ...(hint ? { hint } : {}),
  ...extra,
});
export const skip = (summary: string, hint?: string): CheckOutcome => ({
  status: 'skip',
  summary,
  ...(hint ? { hint } : {}),
});
