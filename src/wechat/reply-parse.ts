/** Passive-reply XML → Reply: how the simulator (playing WeChat) reads and judges what a server answered. */
import { ProtocolError } from './errors.js';
import type { Article, Reply } from './types.js';
import { parseXmlDocument, type XmlElement } from './xml.js';

export type ParsedReply = Exclude<Reply, { type: 'success' }> & {
  toUser: string;
  fromUser: string;
  createTime: number;
};

function invalid(message: string): ProtocolError {
  return new ProtocolError('REPLY_INVALID', message, {
    hint: 'WeChat would show "该公众号暂时无法提供服务，请稍后再试".',
  });
}

function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((node) => node.name === name);
}

function optional(element: XmlElement | undefined, name: string): string | undefined {
  return child(element, name)?.text;
}

function required(element: XmlElement | undefined, name: string, where: string): string {
  const value = optional(element, name);
  if (value === undefined) throw new ProtocolError('XML_MISSING_FIELD', `The reply has no <${name}> in ${where}.`);
  return value;
}

/** Keeps absent optional fields absent, so a parsed reply deep-equals the one that was built. */
function pick<K extends string>(
  element: XmlElement | undefined,
  fields: Record<K, string>,
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, name] of Object.entries(fields) as [K, string][]) {
    const value = optional(element, name);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function container(root: XmlElement, name: string): XmlElement {
  const element = child(root, name);
  if (!element) throw new ProtocolError('XML_MISSING_FIELD', `The reply has no <${name}>.`);
  return element;
}

function parseArticles(root: XmlElement): Article[] {
  const items = container(root, 'Articles').children.filter((node) => node.name === 'item');
  const count = required(root, 'ArticleCount', '<xml>').trim();
  if (!/^\d+$/.test(count) || Number(count) !== items.length) {
    throw invalid(`ArticleCount ${count} does not match the ${items.length} <item> element(s).`);
  }
  return items.map((item) => ({
    title: required(item, 'Title', '<item>'),
    ...pick(item, { description: 'Description', picUrl: 'PicUrl', url: 'Url' }),
  }));
}

function parseBody(root: XmlElement, msgType: string): Exclude<Reply, { type: 'success' }> {
  switch (msgType) {
    case 'text':
      return { type: 'text', content: required(root, 'Content', '<xml>') };
    case 'image':
      return { type: 'image', mediaId: required(container(root, 'Image'), 'MediaId', '<Image>') };
    case 'voice':
      return { type: 'voice', mediaId: required(container(root, 'Voice'), 'MediaId', '<Voice>') };
    case 'video': {
      const video = container(root, 'Video');
      return {
        type: 'video',
        mediaId: required(video, 'MediaId', '<Video>'),
        ...pick(video, { title: 'Title', description: 'Description' }),
      };
    }
    case 'music': {
      const music = container(root, 'Music');
      return {
        type: 'music',
        ...pick(music, { title: 'Title', description: 'Description', musicUrl: 'MusicUrl', hqMusicUrl: 'HQMusicUrl' }),
        thumbMediaId: required(music, 'ThumbMediaId', '<Music>'),
      };
    }
    case 'news':
      return { type: 'news', articles: parseArticles(root) };
    case 'transfer_customer_service': {
      const kfAccount = optional(child(root, 'TransInfo'), 'KfAccount');
      return { type: 'transfer_customer_service', ...(kfAccount === undefined ? {} : { kfAccount }) };
    }
    default:
      throw invalid(`Unknown reply MsgType "${msgType.slice(0, 40)}".`);
  }
}

/** Parses a passive reply's XML. Throws ProtocolError only; 'success' and empty bodies are not XML: check first. */
export function parseReplyXml(xml: string): ParsedReply {
  const root = parseXmlDocument(xml);
  const toUser = required(root, 'ToUserName', '<xml>');
  const fromUser = required(root, 'FromUserName', '<xml>');
  const createTime = required(root, 'CreateTime', '<xml>').trim();
  if (!/^\d+$/.test(createTime)) throw invalid(`CreateTime "${createTime.slice(0, 20)}" is not a whole number.`);
  const body = parseBody(root, required(root, 'MsgType', '<xml>'));
  return { ...body, toUser, fromUser, createTime: Number(createTime) };
}
