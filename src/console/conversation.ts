/** One user's chat as the phone-like pane shows it: what they sent, each retry WeChat made, and what they saw. */
import type { Reply } from '../wechat/types.js';
import { attemptsOf, type History } from './history.js';
import type { ConsoleMessage, ConsoleVerdict, LateDelivery } from './types.js';

export interface ChatEntry {
  id: string;
  at: number;
  /** What the user did: the text, the image URL, 关注, a menu key… */
  sent: { kind: 'text' | 'image' | 'event' | 'other'; text: string };
  /** One per attempt that ended without an answer (WeChat dropped it and retried). */
  retries: number[];
  /** Still waiting for an attempt to answer. */
  pending: boolean;
  reply?: Reply;
  late?: LateDelivery;
  verdict?: ConsoleVerdict;
  origin?: ConsoleMessage['origin'];
}

function sentOf(entry: ConsoleMessage): ChatEntry['sent'] {
  const message = entry.message;
  if (!message) return { kind: 'other', text: entry.preview };
  switch (message.type) {
    case 'text':
      return { kind: 'text', text: message.content };
    case 'image':
      return { kind: 'image', text: message.picUrl };
    case 'event':
      if (message.event === 'subscribe') return { kind: 'event', text: '关注' };
      if (message.event === 'CLICK') return { kind: 'event', text: `菜单 ${message.key}` };
      return { kind: 'event', text: entry.type };
    default:
      return { kind: 'other', text: entry.preview || entry.type };
  }
}

export function conversationOf(history: History, openid: string, limit = 200): ChatEntry[] {
  const entries: ChatEntry[] = [];
  for (const entry of history.list(openid)) {
    if (entry.type === 'refused') continue;
    const attempts = attemptsOf(entry);
    const answered = attempts.find((attempt) => attempt.status !== undefined && attempt.delivery !== 'dropped');
    entries.push({
      id: entry.id,
      at: entry.firstAt,
      sent: sentOf(entry),
      retries: attempts.filter((attempt) => attempt.delivery === 'dropped').map((attempt) => attempt.n),
      pending: !answered && !(entry.verdict && !entry.verdict.ok),
      ...(answered?.reply ? { reply: answered.reply } : {}),
      ...(entry.late ? { late: entry.late } : {}),
      ...(entry.verdict ? { verdict: entry.verdict } : {}),
      ...(entry.origin ? { origin: entry.origin } : {}),
    });
    if (entries.length >= limit) break;
  }
  return entries.reverse();
}
