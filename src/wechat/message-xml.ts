/**
 * InboundMessage → the XML WeChat would POST (PascalCase, CDATA strings, CreateTime in seconds, field order as in
 * the official samples). The simulator sends it; parseMessage reads it back to the same message.
 */
import type { InboundMessage, UnknownMessage, UserMessage, WechatEvent } from './types.js';
import { cdata } from './xml.js';

type Field = [name: string, value: string | number | undefined];

/** Strings go in CDATA, numbers bare, undefined not at all: WeChat's own conventions. */
function fieldsXml(fields: Field[]): string {
  let out = '';
  for (const [name, value] of fields) {
    if (value === undefined) continue;
    out += `<${name}>${typeof value === 'number' ? String(value) : cdata(value)}</${name}>`;
  }
  return out;
}

function userFields(message: UserMessage): Field[] {
  switch (message.type) {
    case 'text':
      return [['Content', message.content]];
    case 'image':
      return [
        ['PicUrl', message.picUrl],
        ['MediaId', message.mediaId],
      ];
    case 'voice':
      return [
        ['MediaId', message.mediaId],
        ['Format', message.format],
        ['Recognition', message.recognition],
      ];
    case 'video':
    case 'shortvideo':
      return [
        ['MediaId', message.mediaId],
        ['ThumbMediaId', message.thumbMediaId],
      ];
    case 'location':
      return [
        ['Location_X', message.latitude],
        ['Location_Y', message.longitude],
        ['Scale', message.scale],
        ['Label', message.label],
      ];
    case 'link':
      return [
        ['Title', message.title],
        ['Description', message.description],
        ['Url', message.url],
      ];
  }
}

interface RawNode {
  /** The path segment, index included (`item[1]`), so indexed siblings stay apart. */
  id: string;
  name: string;
  value?: string;
  children: RawNode[];
}

const SEGMENT = /^([A-Za-z_][\w-]*)(?:\[\d+\])?$/;

/** Rebuilds the elements flattenElement produced (`A.B`, `item[1]`), in first-seen order, skipping `skip` names. */
function rawXml(raw: Record<string, string>, skip: readonly string[]): string {
  const root: RawNode = { id: '', name: '', children: [] };
  for (const [path, value] of Object.entries(raw)) {
    const segments = path.split('.');
    const names = segments.map((segment) => SEGMENT.exec(segment)?.[1]);
    if (names.some((name) => name === undefined) || (segments.length === 1 && skip.includes(path))) continue;
    let parent = root;
    segments.forEach((id, i) => {
      let node = parent.children.find((child) => child.id === id);
      if (!node) {
        node = { id, name: names[i]!, children: [] };
        parent.children.push(node);
      }
      if (i === segments.length - 1) node.value = value;
      parent = node;
    });
  }
  const render = (node: RawNode): string =>
    `<${node.name}>${node.children.length > 0 ? node.children.map(render).join('') : cdata(node.value ?? '')}</${node.name}>`;
  return root.children.map(render).join('');
}

const HEADER = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'MsgId'] as const;

function eventXml(message: WechatEvent): string {
  switch (message.event) {
    case 'subscribe':
      return fieldsXml([
        ['EventKey', message.scene === undefined ? '' : `qrscene_${message.scene}`],
        ['Ticket', message.ticket],
      ]);
    case 'unsubscribe':
      return fieldsXml([['EventKey', '']]);
    case 'SCAN':
      return fieldsXml([
        ['EventKey', message.scene],
        ['Ticket', message.ticket],
      ]);
    case 'LOCATION':
      return fieldsXml([
        ['Latitude', message.latitude],
        ['Longitude', message.longitude],
        ['Precision', message.precision],
      ]);
    case 'CLICK':
      return fieldsXml([['EventKey', message.key]]);
    case 'VIEW':
      return fieldsXml([
        ['EventKey', message.url],
        ['MenuId', message.menuId],
      ]);
    case 'TEMPLATESENDJOBFINISH':
      return `<MsgID>${message.msgId}</MsgID>${fieldsXml([['Status', message.status]])}`;
    case 'MASSSENDJOBFINISH':
      return `<MsgID>${message.msgId}</MsgID>${fieldsXml([
        ['Status', message.status],
        ['TotalCount', message.totalCount],
        ['FilterCount', message.filterCount],
        ['SentCount', message.sentCount],
        ['ErrorCount', message.errorCount],
      ])}`;
    case 'scancode_push':
    case 'scancode_waitmsg':
      return `${fieldsXml([['EventKey', message.key]])}<ScanCodeInfo>${fieldsXml([
        ['ScanType', message.scanType],
        ['ScanResult', message.scanResult],
      ])}</ScanCodeInfo>`;
    case 'pic_sysphoto':
    case 'pic_photo_or_album':
    case 'pic_weixin': {
      const items = message.picMd5Sums.map((sum) => `<item>${fieldsXml([['PicMd5Sum', sum]])}</item>`).join('');
      return `${fieldsXml([['EventKey', message.key]])}<SendPicsInfo><Count>${message.count}</Count><PicList>${items}</PicList></SendPicsInfo>`;
    }
    case 'location_select':
      return `${fieldsXml([['EventKey', message.key]])}<SendLocationInfo>${fieldsXml([
        ['Location_X', message.latitude],
        ['Location_Y', message.longitude],
        ['Scale', message.scale],
        ['Label', message.label],
        ['Poiname', message.poiname ?? ''],
      ])}</SendLocationInfo>`;
    case 'view_miniprogram':
      return fieldsXml([
        ['EventKey', message.key],
        ['MenuId', message.menuId],
      ]);
    case 'other':
      return rawXml(message.raw, HEADER);
  }
}

function bodyXml(message: InboundMessage): { msgType: string; body: string; msgId?: string } {
  if (message.type === 'event') {
    const eventName = message.event === 'other' ? message.name : message.event;
    return { msgType: 'event', body: fieldsXml([['Event', eventName]]) + eventXml(message) };
  }
  if (message.type === 'unknown') {
    const unknown: UnknownMessage = message;
    return {
      msgType: unknown.msgType,
      body: rawXml(unknown.raw, HEADER),
      ...(unknown.msgId === undefined ? {} : { msgId: unknown.msgId }),
    };
  }
  return { msgType: message.type, body: fieldsXml(userFields(message)), msgId: message.msgId };
}

/** The XML body WeChat would send for this message. MsgId is written bare, digit for digit. */
export function buildMessageXml(message: InboundMessage): string {
  const { msgType, body, msgId } = bodyXml(message);
  return `<xml>${fieldsXml([
    ['ToUserName', message.toUser],
    ['FromUserName', message.fromUser],
    ['CreateTime', message.createTime],
    ['MsgType', msgType],
  ])}${body}${msgId === undefined ? '' : `<MsgId>${msgId}</MsgId>`}</xml>`;
}
