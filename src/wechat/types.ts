/** The typed shapes of WeChat messages: what arrives (InboundMessage) and what we answer (Reply). camelCase inside. */

interface Base {
  /** The account's gh_ id (ToUserName). */
  toUser: string;
  /** The user's openid (FromUserName). */
  fromUser: string;
  /** Seconds since the epoch. */
  createTime: number;
}

/**
 * User messages carry a MsgId: a 64-bit integer kept as a string so dedupe never loses precision. Absent in some
 * senders' messages (node-webot's and co-wechat's fixtures): dedupe then uses sender, CreateTime and content.
 */
interface UserMessageBase extends Base {
  msgId?: string;
}

export interface TextMessage extends UserMessageBase {
  type: 'text';
  content: string;
}
export interface ImageMessage extends UserMessageBase {
  type: 'image';
  picUrl: string;
  /** '' when the message carried none (the answer uses PicUrl). */
  mediaId: string;
}
export interface VoiceMessage extends UserMessageBase {
  type: 'voice';
  /** '' only when the message carried none and Recognition is present (the audio is then never fetched). */
  mediaId: string;
  format: string;
  /** Present only when 接收语音识别结果 is enabled for the account. */
  recognition?: string;
}
export interface VideoMessage extends UserMessageBase {
  type: 'video' | 'shortvideo';
  /** '' when the message carried none (the answer does not use it). */
  mediaId: string;
  thumbMediaId: string;
}
export interface LocationMessage extends UserMessageBase {
  type: 'location';
  latitude: number;
  longitude: number;
  scale: number;
  label: string;
}
export interface LinkMessage extends UserMessageBase {
  type: 'link';
  title: string;
  description: string;
  url: string;
}

interface EventBase extends Base {
  type: 'event';
}
export interface SubscribeEvent extends EventBase {
  event: 'subscribe';
  /** The QR scene without the `qrscene_` prefix, when the user followed by scanning a parametric QR code. */
  scene?: string;
  ticket?: string;
}
export interface UnsubscribeEvent extends EventBase {
  event: 'unsubscribe';
}
export interface ScanEvent extends EventBase {
  event: 'SCAN';
  scene: string;
  ticket?: string;
}
export interface LocationEvent extends EventBase {
  event: 'LOCATION';
  latitude: number;
  longitude: number;
  precision: number;
}
export interface ClickEvent extends EventBase {
  event: 'CLICK';
  key: string;
}
export interface ViewEvent extends EventBase {
  event: 'VIEW';
  url: string;
  menuId?: string;
}
export interface TemplateSendJobFinishEvent extends EventBase {
  event: 'TEMPLATESENDJOBFINISH';
  /** WeChat spells it MsgID here; normalised once, in the parser. */
  msgId: string;
  status: string;
}
export interface MassSendJobFinishEvent extends EventBase {
  event: 'MASSSENDJOBFINISH';
  msgId: string;
  status: string;
  totalCount?: number;
  filterCount?: number;
  sentCount?: number;
  errorCount?: number;
}
export interface ScanCodeEvent extends EventBase {
  event: 'scancode_push' | 'scancode_waitmsg';
  key: string;
  scanType: string;
  scanResult: string;
}
export interface PicEvent extends EventBase {
  event: 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin';
  key: string;
  count: number;
  /** MD5 sums of the pictures, as WeChat lists them. */
  picMd5Sums: string[];
}
export interface LocationSelectEvent extends EventBase {
  event: 'location_select';
  key: string;
  latitude: number;
  longitude: number;
  scale: number;
  label: string;
  poiname?: string;
}
export interface ViewMiniprogramEvent extends EventBase {
  event: 'view_miniprogram';
  key: string;
  menuId?: string;
}
/** An event type we do not model: kept with its raw fields. */
export interface OtherEvent extends EventBase {
  event: 'other';
  /** WeChat's Event value as sent. */
  name: string;
  raw: Record<string, string>;
}

export type WechatEvent =
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | ClickEvent
  | ViewEvent
  | TemplateSendJobFinishEvent
  | MassSendJobFinishEvent
  | ScanCodeEvent
  | PicEvent
  | LocationSelectEvent
  | ViewMiniprogramEvent
  | OtherEvent;

/** Any MsgType we do not model: never a crash. */
export interface UnknownMessage extends Base {
  type: 'unknown';
  msgType: string;
  msgId?: string;
  raw: Record<string, string>;
}

export type UserMessage = TextMessage | ImageMessage | VoiceMessage | VideoMessage | LocationMessage | LinkMessage;
export type InboundMessage = UserMessage | WechatEvent | UnknownMessage;

export interface Article {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

/** What we answer. Built into XML by buildReplyXml; `success` is the empty answer that stops retries. */
export type Reply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | {
      type: 'music';
      title?: string;
      description?: string;
      musicUrl?: string;
      hqMusicUrl?: string;
      thumbMediaId: string;
    }
  | { type: 'news'; articles: Article[] }
  | { type: 'transfer_customer_service'; kfAccount?: string }
  | { type: 'success' };

export type ReplyType = Reply['type'];
