/** simulate's flags (or a REPL line) → the message WeChat would send: text, media, location, link or an event. */
import { randomBytes } from 'node:crypto';
import type { SimulatedMessage } from '../../simulator/message.js';
import { KNOWN_CITIES, resolvePlace } from '../../simulator/places.js';
import { UsageError } from '../exit.js';

export const MESSAGE_TYPES = ['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'event'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Events we build with their own fields; any other name is sent as-is with EventKey. */
const KNOWN_EVENTS = [
  'subscribe',
  'unsubscribe',
  'SCAN',
  'CLICK',
  'VIEW',
  'LOCATION',
  'view_miniprogram',
  'scancode_push',
  'scancode_waitmsg',
] as const;

export interface MessageSpec {
  text?: string;
  type?: MessageType;
  event?: string;
  key?: string;
  picUrl?: string;
  recognition?: string;
  user: string;
  to: string;
}

/** A MediaId looks like WeChat's: 64 URL-safe characters. */
function mediaId(): string {
  return randomBytes(48).toString('base64url');
}

export const DEFAULT_PIC_URL = 'https://mmbiz.qpic.cn/mmbiz_jpg/simulated/0';

export function buildMessage(spec: MessageSpec): SimulatedMessage {
  const type: MessageType = spec.type ?? (spec.event ? 'event' : 'text');
  const addressing = { fromUser: spec.user, toUser: spec.to };
  if (spec.event && type !== 'event') {
    throw new UsageError(`--event goes with --type event, not --type ${type}.`, {
      hint: 'Leave --type out: --event implies it.',
    });
  }
  const text = spec.text;
  switch (type) {
    case 'text':
      if (text === undefined || text === '') {
        throw new UsageError('What should the user say? A text message needs its text.', {
          hint: 'Run e.g. `npx wechat-gpt simulate "你好"`, or --interactive to chat.',
        });
      }
      return { ...addressing, type: 'text', content: text };
    case 'image':
      return { ...addressing, type: 'image', picUrl: spec.picUrl ?? text ?? DEFAULT_PIC_URL, mediaId: mediaId() };
    case 'voice': {
      const recognition = spec.recognition ?? text;
      return {
        ...addressing,
        type: 'voice',
        mediaId: mediaId(),
        format: 'amr',
        ...(recognition ? { recognition } : {}),
      };
    }
    case 'video':
    case 'shortvideo':
      return { ...addressing, type, mediaId: mediaId(), thumbMediaId: mediaId() };
    case 'location': {
      const place = resolvePlace(text ?? '');
      if (!place) {
        throw new UsageError(`Where is "${text}"? A location needs coordinates or a known city.`, {
          hint: `Write the coordinates first, e.g. "31.2304,121.4737 ${text}", or name a city: ${KNOWN_CITIES.join(' ')}.`,
        });
      }
      return { ...addressing, type: 'location', ...place, scale: 15 };
    }
    case 'link':
      return {
        ...addressing,
        type: 'link',
        title: text ?? '一篇文章',
        description: '',
        url: spec.key ?? 'https://example.com/article',
      };
    case 'event':
      return buildEvent(spec, addressing);
  }
}

function buildEvent(spec: MessageSpec, addressing: { fromUser: string; toUser: string }): SimulatedMessage {
  if (!spec.event) {
    throw new UsageError('--type event needs --event <name>.', {
      hint: 'e.g. --event subscribe, --event CLICK --key MENU_KEY, --event SCAN --key scene42.',
    });
  }
  const name = KNOWN_EVENTS.find((known) => known.toLowerCase() === spec.event?.toLowerCase()) ?? spec.event;
  const base = { ...addressing, type: 'event' as const };
  const key = spec.key;
  const needKey = () => {
    if (key === undefined) {
      throw new UsageError(`--event ${name} needs --key (its EventKey).`, {
        hint: name === 'VIEW' ? 'e.g. --key https://example.com' : 'e.g. --key MENU_KEY',
      });
    }
    return key;
  };
  switch (name) {
    case 'subscribe':
      return { ...base, event: 'subscribe', ...(key ? { scene: key, ticket: `gQ${mediaId().slice(0, 30)}` } : {}) };
    case 'unsubscribe':
      return { ...base, event: 'unsubscribe' };
    case 'SCAN':
      return { ...base, event: 'SCAN', scene: needKey(), ticket: `gQ${mediaId().slice(0, 30)}` };
    case 'CLICK':
      return { ...base, event: 'CLICK', key: needKey() };
    case 'VIEW':
      return { ...base, event: 'VIEW', url: needKey() };
    case 'view_miniprogram':
      return { ...base, event: 'view_miniprogram', key: needKey() };
    case 'LOCATION':
      return { ...base, event: 'LOCATION', latitude: 39.908823, longitude: 116.39747, precision: 30 };
    case 'scancode_push':
    case 'scancode_waitmsg':
      return { ...base, event: name, key: needKey(), scanType: 'qrcode', scanResult: spec.text ?? 'simulated' };
    default:
      return { ...base, event: 'other', name, raw: key === undefined ? {} : { EventKey: key } };
  }
}

/** `text "你好"`, `event subscribe`, `image https://…`: the request side of the output. */
export function describeMessage(message: SimulatedMessage): string {
  switch (message.type) {
    case 'text':
      return message.content;
    case 'image':
      return `[image ${message.picUrl}]`;
    case 'voice':
      return message.recognition ? `[voice] ${message.recognition}` : '[voice, no recognition]';
    case 'video':
    case 'shortvideo':
      return `[${message.type}]`;
    case 'location':
      return `[location ${message.label}]`;
    case 'link':
      return `[link ${message.title} ${message.url}]`;
    case 'event': {
      const name = message.event === 'other' ? message.name : message.event;
      const key =
        'key' in message
          ? message.key
          : 'scene' in message
            ? message.scene
            : 'url' in message
              ? message.url
              : undefined;
      return `[event ${name}${key ? ` ${key}` : ''}]`;
    }
    case 'unknown':
      return `[${message.msgType}]`;
  }
}
