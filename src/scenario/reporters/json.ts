/** The `--json` report: the whole run as one JSON document (scenarios, steps, what the user saw, attempts). */
import type { RunResult } from '../runner.js';

export function formatJson(run: RunResult): string {
  return JSON.stringify(run, null, 2);
}
