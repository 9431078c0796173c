/** The dedupe key of a message: WeChat's retries of one message share it. */
import type { InboundMessage } from '../wechat/types.js';

export function jobKey(message: InboundMessage): string {
  if (message.type === 'event') {
    const name = message.event === 'other' ? message.name : message.event;
    return `evt:${message.fromUser}:${message.createTime}:${name}`;
  }
  if (message.msgId) return `msg:${message.msgId}`;
  return `raw:${message.fromUser}:${message.createTime}:${message.type}`;
}
