/** What appendTurns keeps, the same in every store. */
import type { AppendTurnsOptions, ChatTurn, Session } from './types.js';

/**
 * The conversation once `added` (at least one turn) follows `kept`: what `keep` returns of the whole, last changed at
 * the last new turn's time.
 */
export function appendedSession(
  kept: readonly ChatTurn[],
  added: ChatTurn[],
  keep: AppendTurnsOptions['keep'],
): Session {
  const all = kept.length ? kept.concat(added) : added;
  return { turns: keep ? keep(all) : all, updatedAt: added[added.length - 1]!.at };
}
