/** Access lists and daily quotas in front of the model, and the day's heaviest users. */
export { localDay, messagesTally, TALLY_TTL_MS, tokensTally } from './day.js';
export { type Admission, createQuotas, type QuotaOptions, type Quotas } from './quotas.js';
export { heaviestUsers, type UsageOptions, type UsageReport, type UserUsage } from './usage.js';
