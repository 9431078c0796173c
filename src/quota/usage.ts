/** The day's heaviest users, read from the store's daily tallies (questions to the model and tokens spent). */
import type { Store } from '../store/types.js';
import { localDay, messagesTally, TALLY_TTL_MS, tokensTally } from './day.js';

export interface UserUsage {
  openid: string;
  messages: number;
  tokens: number;
}

export interface UsageReport {
  /** The local day (YYYY-MM-DD) in timeZone. */
  day: string;
  timeZone: string;
  users: UserUsage[];
}

export interface UsageOptions {
  timeZone: string;
  now?: number;
  /** How many users (default 20). */
  limit?: number;
}

/** The top users of the day by tokens, then by questions (each tally's top `limit`, merged). */
export async function heaviestUsers(
  store: Store,
  { timeZone, now = Date.now(), limit = 20 }: UsageOptions,
): Promise<UsageReport> {
  const day = localDay(now, timeZone);
  const [byMessages, byTokens] = await Promise.all([
    store.topOfTally(messagesTally(day), limit),
    store.topOfTally(tokensTally(day), limit),
  ]);
  const users = new Map<string, UserUsage>();
  for (const { member, total } of byMessages) users.set(member, { openid: member, messages: total, tokens: 0 });
  for (const { member, total } of byTokens) {
    const user = users.get(member) ?? { openid: member, messages: 0, tokens: 0 };
    users.set(member, { ...user, tokens: total });
  }
  // A user high in one tally may be missing from the other's top: read their other count.
  const rows = await Promise.all(
    [...users.values()].map(async (user) => ({
      ...user,
      messages: user.messages || (await store.addToTally(messagesTally(day), user.openid, 0, TALLY_TTL_MS)),
      tokens: user.tokens || (await store.addToTally(tokensTally(day), user.openid, 0, TALLY_TTL_MS)),
    })),
  );
  rows.sort((a, b) => b.tokens - a.tokens || b.messages - a.messages || a.openid.localeCompare(b.openid));
  return { day, timeZone, users: rows.slice(0, limit) };
}
