/**
 * Inbound XML → InboundMessage. A table of parsers keyed by MsgType and by Event; WeChat's quirks (the `qrscene_`
 * prefix, `MsgID` with a capital D, the nested menu-event blocks) are normalised here and nowhere else.
 * Unknown types never crash: they become `unknown` messages or `other` events with their raw fields.
 */
import { type Common, FieldReader } from './field-reader.js';
import type { InboundMessage, UnknownMessage, UserMessage, WechatEvent } from './types.js';
import { flattenElement, parseXmlDocument } from './xml.js';

type Parser<T> = (read: FieldReader, common: Common) => T;

/**
 * The message: the common fields, then its own. Not `{ ...common, type, … }`: on Node 20 an object literal that starts
 * with a spread and goes on gets a hidden class of its own, so every message had a new map (and every read of a
 * message's fields, all through the bot, was megamorphic).
 */
function message<const T extends object>(common: Common, fields: T): Common & T {
  return Object.assign({}, common, fields);
}

const QR_SCENE_PREFIX = 'qrscene_';
const withoutScenePrefix = (key: string) => (key.startsWith(QR_SCENE_PREFIX) ? key.slice(QR_SCENE_PREFIX.length) : key);

function videoParser(type: 'video' | 'shortvideo'): Parser<UserMessage> {
  return (read, common) =>
    message(common, {
      type,
      ...read.msgId(),
      mediaId: read.optional('MediaId') ?? '',
      thumbMediaId: read.optional('ThumbMediaId') ?? '',
    });
}

const userMessageParsers = {
  text: (read, common) => message(common, { type: 'text', ...read.msgId(), content: read.required('Content') }),
  image: (read, common) =>
    message(common, {
      type: 'image',
      ...read.msgId(),
      picUrl: read.required('PicUrl'),
      mediaId: read.optional('MediaId') ?? '',
    }),
  voice: (read, common) => {
    const recognition = read.nonEmpty('Recognition');
    return message(common, {
      type: 'voice',
      ...read.msgId(),
      // Needed only to fetch the audio, which WeChat's own Recognition makes unnecessary.
      mediaId: recognition === undefined ? read.required('MediaId') : (read.optional('MediaId') ?? ''),
      format: read.optional('Format') ?? '',
      ...(recognition === undefined ? {} : { recognition }),
    });
  },
  video: videoParser('video'),
  shortvideo: videoParser('shortvideo'),
  location: (read, common) =>
    message(common, {
      type: 'location',
      ...read.msgId(),
      latitude: read.decimal('Location_X'),
      longitude: read.decimal('Location_Y'),
      scale: read.optionalDecimal('Scale') ?? 0,
      label: read.optional('Label') ?? '',
    }),
  link: (read, common) =>
    message(common, {
      type: 'link',
      ...read.msgId(),
      title: read.optional('Title') ?? '',
      description: read.optional('Description') ?? '',
      url: read.required('Url'),
    }),
} satisfies Record<UserMessage['type'], Parser<UserMessage>>;

function scanCodeParser(event: 'scancode_push' | 'scancode_waitmsg'): Parser<WechatEvent> {
  return (read, common) =>
    message(common, {
      type: 'event',
      event,
      key: read.required('EventKey'),
      scanType: read.required('ScanCodeInfo.ScanType'),
      scanResult: read.required('ScanCodeInfo.ScanResult'),
    });
}

function picParser(event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin'): Parser<WechatEvent> {
  return (read, common) => {
    const items = read.element('SendPicsInfo.PicList')?.children.filter((child) => child.name === 'item') ?? [];
    const picMd5Sums = items.map((item) => item.children.find((child) => child.name === 'PicMd5Sum')?.text ?? '');
    return message(common, {
      type: 'event',
      event,
      key: read.required('EventKey'),
      count: read.optionalInteger('SendPicsInfo.Count') ?? picMd5Sums.length,
      picMd5Sums,
    });
  };
}

const eventParsers = {
  subscribe: (read, common) => {
    const key = read.nonEmpty('EventKey');
    const ticket = read.nonEmpty('Ticket');
    return message(common, {
      type: 'event',
      event: 'subscribe',
      ...(key?.startsWith(QR_SCENE_PREFIX) ? { scene: withoutScenePrefix(key) } : {}),
      ...(ticket === undefined ? {} : { ticket }),
    });
  },
  unsubscribe: (_read, common) => message(common, { type: 'event', event: 'unsubscribe' }),
  SCAN: (read, common) => {
    const ticket = read.nonEmpty('Ticket');
    return message(common, {
      type: 'event',
      event: 'SCAN',
      scene: withoutScenePrefix(read.required('EventKey')),
      ...(ticket === undefined ? {} : { ticket }),
    });
  },
  LOCATION: (read, common) =>
    message(common, {
      type: 'event',
      event: 'LOCATION',
      latitude: read.decimal('Latitude'),
      longitude: read.decimal('Longitude'),
      precision: read.optionalDecimal('Precision') ?? 0,
    }),
  CLICK: (read, common) => message(common, { type: 'event', event: 'CLICK', key: read.required('EventKey') }),
  VIEW: (read, common) => {
    const menuId = read.nonEmpty('MenuId');
    return message(common, {
      type: 'event',
      event: 'VIEW',
      url: read.required('EventKey'),
      ...(menuId === undefined ? {} : { menuId }),
    });
  },
  TEMPLATESENDJOBFINISH: (read, common) =>
    message(common, {
      type: 'event',
      event: 'TEMPLATESENDJOBFINISH',
      msgId: read.jobMsgId(),
      status: read.required('Status'),
    }),
  MASSSENDJOBFINISH: (read, common) => {
    const counts = {
      totalCount: read.optionalInteger('TotalCount'),
      filterCount: read.optionalInteger('FilterCount'),
      sentCount: read.optionalInteger('SentCount'),
      errorCount: read.optionalInteger('ErrorCount'),
    };
    return message(common, {
      type: 'event',
      event: 'MASSSENDJOBFINISH',
      msgId: read.jobMsgId(),
      status: read.required('Status'),
      ...Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== undefined)),
    });
  },
  scancode_push: scanCodeParser('scancode_push'),
  scancode_waitmsg: scanCodeParser('scancode_waitmsg'),
  pic_sysphoto: picParser('pic_sysphoto'),
  pic_photo_or_album: picParser('pic_photo_or_album'),
  pic_weixin: picParser('pic_weixin'),
  location_select: (read, common) => {
    const poiname = read.nonEmpty('SendLocationInfo.Poiname');
    return message(common, {
      type: 'event',
      event: 'location_select',
      key: read.required('EventKey'),
      latitude: read.decimal('SendLocationInfo.Location_X'),
      longitude: read.decimal('SendLocationInfo.Location_Y'),
      scale: read.optionalDecimal('SendLocationInfo.Scale') ?? 0,
      label: read.optional('SendLocationInfo.Label') ?? '',
      ...(poiname === undefined ? {} : { poiname }),
    });
  },
  view_miniprogram: (read, common) => {
    const menuId = read.nonEmpty('MenuId');
    return message(common, {
      type: 'event',
      event: 'view_miniprogram',
      key: read.required('EventKey'),
      ...(menuId === undefined ? {} : { menuId }),
    });
  },
} satisfies Record<Exclude<WechatEvent['event'], 'other'>, Parser<WechatEvent>>;

/** Case-insensitive lookups (WeChat's own casing varies: SCAN vs subscribe), and no prototype keys. */
function lookupTable<T>(table: Record<string, T>): Map<string, T> {
  return new Map(Object.entries(table).map(([key, value]) => [key.toLowerCase(), value]));
}
const userMessageTable = lookupTable<Parser<UserMessage>>(userMessageParsers);
const eventTable = lookupTable<Parser<WechatEvent>>(eventParsers);

function parseEvent(read: FieldReader, common: Common): WechatEvent {
  const name = read.required('Event');
  const parser = eventTable.get(name.trim().toLowerCase());
  if (parser) return parser(new FieldReader(read.root, `${name} event`), common);
  return message(common, { type: 'event', event: 'other', name, raw: flattenElement(read.root) });
}

function parseUnknown(read: FieldReader, common: Common, msgType: string): UnknownMessage {
  return message(common, {
    type: 'unknown',
    msgType,
    ...read.msgId(),
    raw: flattenElement(read.root),
  });
}

/** Parses a decrypted (or plaintext) WeChat message. Throws ProtocolError only. */
export function parseMessage(xml: string): InboundMessage {
  const root = parseXmlDocument(xml);
  const header = new FieldReader(root, 'WeChat');
  const msgType = header.required('MsgType');
  const common: Common = {
    toUser: header.required('ToUserName'),
    fromUser: header.required('FromUserName'),
    createTime: header.integer('CreateTime'),
  };
  const key = msgType.trim().toLowerCase();
  if (key === 'event') return parseEvent(new FieldReader(root, 'event'), common);
  const parser = userMessageTable.get(key);
  if (parser) return parser(new FieldReader(root, msgType), common);
  return parseUnknown(header, common, msgType);
}
