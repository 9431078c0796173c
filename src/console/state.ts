/** The State tab: users with waiting answers (the outbox) and their conversation, from the bot's store. */
import type { ChatTurn, Store } from '../store/types.js';
import { cut } from './llm-recorder.js';

export interface UserState {
  openid: string;
  unseenAnswers: number;
  pages: number;
  turns: Array<{ role: ChatTurn['role']; text: string; at: number }>;
}

function textOf(turn: ChatTurn): string {
  if (typeof turn.content === 'string') return cut(turn.content);
  return turn.content.map((part) => (part.type === 'text' ? part.text : `[image ${cut(part.imageUrl)}]`)).join(' ');
}

export async function stateOf(store: Store, openids: string[]): Promise<UserState[]> {
  return Promise.all(
    openids.slice(0, 50).map(async (openid) => {
      const [outbox, session] = await Promise.all([store.summarizeOutbox(openid), store.getSession(openid)]);
      return {
        openid,
        unseenAnswers: outbox.unseenAnswers,
        pages: outbox.pages,
        turns: (session?.turns ?? []).map((turn) => ({ role: turn.role, text: textOf(turn), at: turn.at })),
      };
    }),
  );
}

export async function clearUser(store: Store, openid: string): Promise<void> {
  await Promise.all([store.clearOutbox(openid), store.deleteSession(openid)]);
}
