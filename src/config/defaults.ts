/** Defaults that code outside the schema also needs (the stores can be created on their own), kept once. */

/** How long an answer waits in the outbox for its user: 48 h, WeChat's window for customer-service messages. */
export const DEFAULT_OUTBOX_TTL_MS = 48 * 3600_000;
