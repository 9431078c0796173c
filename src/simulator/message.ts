/** Completes a partly written message (tests and the CLI write only what matters) into the one WeChat would send. */
import type { InboundMessage } from '../wechat/types.js';
import { DEFAULT_ACCOUNT, DEFAULT_OPENID, newMsgId } from './ids.js';

type Addressing = 'toUser' | 'fromUser' | 'createTime';
interface Defaults {
  toUser: string;
  fromUser: string;
  createTime: number;
  msgId: string;
}
/**
 * An InboundMessage whose addressing and CreateTime may be left out, and whose MsgId may be left out when it is the
 * message's header MsgId (user and unknown messages; job-finish events keep theirs, it is their subject).
 */
export type SimulatedMessage = InboundMessage extends infer M
  ? M extends { type: 'event' }
    ? Omit<M, Addressing> & Partial<Pick<Defaults, Addressing>>
    : M extends InboundMessage
      ? Omit<M, Addressing | 'msgId'> & Partial<Defaults>
      : never
  : never;

export interface CompleteOptions {
  /** Overrides the message's MsgId (user messages only). */
  msgId?: string;
  now?: () => number;
}

export function completeMessage(
  message: SimulatedMessage,
  { msgId, now = Date.now }: CompleteOptions = {},
): InboundMessage {
  const filled = {
    ...message,
    toUser: message.toUser ?? DEFAULT_ACCOUNT,
    fromUser: message.fromUser ?? DEFAULT_OPENID,
    createTime: message.createTime ?? Math.floor(now() / 1000),
  };
  if (message.type === 'event') return filled as InboundMessage;
  const id = msgId ?? message.msgId ?? (message.type === 'unknown' ? undefined : newMsgId());
  return { ...filled, ...(id === undefined ? {} : { msgId: id }) } as InboundMessage;
}
