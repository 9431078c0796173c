/** The dedupe key of a message: WeChat's retries of one message share it. */
import { createHash } from 'node:crypto';
import type { InboundMessage } from '../wechat/types.js';

/** A short digest of what a message without MsgId says: its retries say the same, another message in the same second does not. */
function contentHash(message: InboundMessage): string {
  const said = message.type === 'text' ? message.content : JSON.stringify(message);
  return createHash('sha1').update(said).digest('base64url').slice(0, 16);
}

export function jobKey(message: InboundMessage): string {
  if (message.type === 'event') {
    const name = message.event === 'other' ? message.name : message.event;
    return `evt:${message.fromUser}:${message.createTime}:${name}`;
  }
  if (message.msgId) return `msg:${message.msgId}`;
  return `raw:${message.fromUser}:${message.createTime}:${message.type}:${contentHash(message)}`;
}
