/**
 * Reply → the passive-reply XML WeChat accepts. Refuses what WeChat would turn into its error page (empty text,
 * too many articles, CreateTime in milliseconds), so a bad reply fails here, where the log can say why.
 */
import { ProtocolError } from './errors.js';
import type { Article, InboundMessage, Reply } from './types.js';
import { cdata, xmlSafeText } from './xml.js';

/** WeChat allows 8 articles, but only 1 when the reply answers a user's message. */
export const MAX_ARTICLES = 8;
export const MAX_ARTICLES_FOR_USER_MESSAGE = 1;
/** Seconds beyond this are milliseconds in disguise (year 5138): node-webot's bug, which WeChat rejects. */
const MAX_CREATE_TIME_SECONDS = 1e11;

export interface ReplyEnvelope {
  /** The user's openid (the inbound FromUserName). */
  toUser: string;
  /** The account's gh_ id (the inbound ToUserName). */
  fromUser: string;
  /** Seconds since the epoch; now by default. */
  createTime?: number;
  /** Articles allowed in a news reply (default 8; replyTo uses 1 for user messages). */
  maxArticles?: number;
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('REPLY_INVALID', message, {
    hint: 'Fix the reply returned by the handler or keyword rule; WeChat would show its error page for it.',
  });
}

/** Judged on what WeChat will read: text that is only control characters is empty too. */
function nonEmpty(value: string, what: string): string {
  if (xmlSafeText(value).trim() === '') throw invalid(`${what} must not be empty.`);
  return value;
}

/** `<Name><![CDATA[value]]></Name>`, or nothing when the optional value is absent. */
function tag(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`;
}

function articleXml(article: Article): string {
  return `<item>${tag('Title', article.title)}${tag('Description', article.description)}${tag('PicUrl', article.picUrl)}${tag('Url', article.url)}</item>`;
}

function bodyXml(reply: Exclude<Reply, { type: 'success' }>, maxArticles: number): string {
  switch (reply.type) {
    case 'text':
      return tag('Content', nonEmpty(reply.content, 'Text reply content'));
    case 'image':
      return `<Image>${tag('MediaId', nonEmpty(reply.mediaId, 'Image mediaId'))}</Image>`;
    case 'voice':
      return `<Voice>${tag('MediaId', nonEmpty(reply.mediaId, 'Voice mediaId'))}</Voice>`;
    case 'video':
      return `<Video>${tag('MediaId', nonEmpty(reply.mediaId, 'Video mediaId'))}${tag('Title', reply.title)}${tag('Description', reply.description)}</Video>`;
    case 'music':
      return (
        `<Music>${tag('Title', reply.title)}${tag('Description', reply.description)}${tag('MusicUrl', reply.musicUrl)}` +
        `${tag('HQMusicUrl', reply.hqMusicUrl)}${tag('ThumbMediaId', nonEmpty(reply.thumbMediaId, 'Music thumbMediaId'))}</Music>`
      );
    case 'news': {
      const count = reply.articles.length;
      if (count === 0) throw invalid('A news reply needs at least one article.');
      if (count > maxArticles)
        throw invalid(`A news reply may carry at most ${maxArticles} article(s) here (got ${count}).`);
      return `<ArticleCount>${count}</ArticleCount><Articles>${reply.articles.map(articleXml).join('')}</Articles>`;
    }
    case 'transfer_customer_service':
      return reply.kfAccount === undefined ? '' : `<TransInfo>${tag('KfAccount', reply.kfAccount)}</TransInfo>`;
  }
}

/** The passive-reply XML; `success` is the bare string WeChat takes as "nothing to show". */
export function buildReplyXml(
  reply: Reply,
  { toUser, fromUser, createTime = Math.floor(Date.now() / 1000), maxArticles = MAX_ARTICLES }: ReplyEnvelope,
): string {
  if (reply.type === 'success') return 'success';
  if (!Number.isSafeInteger(createTime) || createTime < 0 || createTime >= MAX_CREATE_TIME_SECONDS) {
    throw invalid(`CreateTime must be whole seconds since the epoch (got ${createTime}).`);
  }
  const body = bodyXml(reply, maxArticles);
  return (
    `<xml>${tag('ToUserName', nonEmpty(toUser, 'ToUserName'))}${tag('FromUserName', nonEmpty(fromUser, 'FromUserName'))}` +
    `<CreateTime>${createTime}</CreateTime>${tag('MsgType', reply.type)}${body}</xml>`
  );
}

/** Answers an inbound message: swaps To/From and applies WeChat's 1-article rule for user messages. */
export function replyTo(message: InboundMessage, reply: Reply, { createTime }: { createTime?: number } = {}): string {
  return buildReplyXml(reply, {
    toUser: message.fromUser,
    fromUser: message.toUser,
    ...(createTime === undefined ? {} : { createTime }),
    maxArticles: message.type === 'event' ? MAX_ARTICLES : MAX_ARTICLES_FOR_USER_MESSAGE,
  });
}
