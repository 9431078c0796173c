/**
 * Access lists and daily quotas in front of the model. Blocked users, and users off a non-empty allow list, get their
 * texts; a question is refused once the user's tokens of the day are spent, and counts against the day's message
 * limit. Admins pass every check. Every question and the tokens of every answer (from the model's reported usage) are
 * counted when a limit needs them or when the store is shared (Redis), where `wechat-gpt users` reads the day's
 * heaviest users; in the memory store nobody outside the process could read them, so without a limit nothing is
 * counted there (two store writes fewer per question). Counts live in the store (one tally per day, shared by every
 * instance on one Redis); a store that cannot answer in time lets the question through (logged): a quota is worth less
 * than an answer.
 */

import type { Clock } from '../bot/clock.js';
import type { StorePatience } from '../bot/store-patience.js';
import { fillTemplate } from '../bot/texts.js';
import type { Logger, ResolvedConfig } from '../config.js';
import type { Store } from '../store/types.js';
import { localDay, messagesTally, TALLY_TTL_MS, tokensTally } from './day.js';

export type Admission =
  | { kind: 'admit' }
  | { kind: 'refuse'; reason: 'blocked' | 'not-allowed' | 'messages' | 'tokens'; text: string };

export interface Quotas {
  /** Nothing to decide or count (no lists, no limits, a store nobody else reads): every question passes, uncounted. */
  readonly open: boolean;
  /** Decides whether this question may reach the model, and counts it when it may. */
  admit(openid: string): Promise<Admission>;
  /** Adds the tokens an answer used to the user's day. */
  spend(openid: string, tokens: number): Promise<void>;
}

export interface QuotaOptions {
  config: Pick<ResolvedConfig, 'access' | 'quotas' | 'texts'>;
  store: Store;
  clock: Clock;
  patience: StorePatience;
  logger: Logger;
}

export function createQuotas({ config, store, clock, patience, logger }: QuotaOptions): Quotas {
  const { access, quotas, texts } = config;
  const admins = new Set(access.admins);
  const blocked = new Set(access.blocked);
  const allowed = new Set(access.allowed);
  const today = () => localDay(clock.now(), quotas.timeZone);
  const limitsSet = quotas.messagesPerDay > 0 || quotas.tokensPerDay > 0;
  const counting = limitsSet || store.kind !== 'memory';

  /** A count from the store, or undefined (the question passes) when the store cannot give it in time. */
  async function count(what: string, call: Promise<number>): Promise<number | undefined> {
    const raced = await patience.wait(call);
    if (raced.ok) return raced.value;
    logger.warn(
      { err: raced.reason === 'timeout' ? 'no answer in time' : String(raced.error) },
      `store unavailable: ${what} skipped`,
    );
    return undefined;
  }

  const refuse = (
    reason: Extract<Admission, { kind: 'refuse' }>['reason'],
    text: string,
    openid: string,
  ): Admission => {
    logger.info({ openid, reason }, 'question refused: access or quota');
    return { kind: 'refuse', reason, text };
  };

  return {
    open: blocked.size === 0 && allowed.size === 0 && !counting,

    async admit(openid) {
      const limited = !admins.has(openid);
      if (limited && blocked.has(openid)) return refuse('blocked', texts.accessBlocked, openid);
      if (limited && allowed.size > 0 && !allowed.has(openid)) {
        return refuse('not-allowed', texts.accessNotAllowed, openid);
      }
      if (!counting) return { kind: 'admit' };
      const day = today();
      if (limited && quotas.tokensPerDay > 0) {
        const used = await count('the token quota', store.addToTally(tokensTally(day), openid, 0, TALLY_TTL_MS));
        if (used !== undefined && used >= quotas.tokensPerDay) return refuse('tokens', texts.quotaTokens, openid);
      }
      const asked = await count('the message quota', store.addToTally(messagesTally(day), openid, 1, TALLY_TTL_MS));
      if (limited && quotas.messagesPerDay > 0 && asked !== undefined && asked > quotas.messagesPerDay) {
        return refuse('messages', fillTemplate(texts.quotaMessages, { limit: quotas.messagesPerDay }), openid);
      }
      return { kind: 'admit' };
    },

    async spend(openid, tokens) {
      if (tokens <= 0 || !counting) return;
      await count('counting tokens', store.addToTally(tokensTally(today()), openid, tokens, TALLY_TTL_MS));
    },
  };
}
