/** Short one-line previews of messages and replies for logs and the serve output. */
import type { InboundMessage, Reply } from '../wechat/types.js';
import { quote } from './texts.js';

export function describeMessageType(message: InboundMessage): string {
  if (message.type === 'event') return `event:${message.event === 'other' ? message.name : message.event}`;
  if (message.type === 'unknown') return `unknown:${message.msgType}`;
  return message.type;
}

export function previewMessage(message: InboundMessage, maxChars = 30): string {
  switch (message.type) {
    case 'text':
      return quote(message.content, maxChars);
    case 'voice':
      return message.recognition ? quote(message.recognition, maxChars) : '[voice]';
    case 'image':
      return quote(message.picUrl, maxChars);
    case 'location':
      return quote(message.label || `${message.latitude},${message.longitude}`, maxChars);
    case 'link':
      return quote(message.title, maxChars);
    case 'event':
      return 'key' in message ? quote(message.key, maxChars) : 'scene' in message && message.scene ? message.scene : '';
    default:
      return '';
  }
}

export function previewReply(reply: Reply, maxChars = 30): string {
  switch (reply.type) {
    case 'text':
      return quote(reply.content, maxChars);
    case 'news':
      return quote(reply.articles[0]?.title ?? '', maxChars);
    case 'image':
    case 'voice':
    case 'video':
      return reply.mediaId;
    default:
      return '';
  }
}
