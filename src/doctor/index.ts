/** `wechat-gpt doctor`: checks that the bot can work as configured, each with a result and a hint. */
export { CHECK_IDS, type DoctorOptions, doctorChecks } from './checks.js';
export type { ConfigLoad } from './config.js';
export { formatDuration, runChecks } from './run.js';
export type { Check, CheckId, CheckOutcome, CheckResult, CheckStatus } from './types.js';
