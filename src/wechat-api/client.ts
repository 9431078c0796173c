/** createWechatApi: the WeChat server API with a shared access_token — customer-service messages, typing, media. */
import { ConfigError, ProtocolError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { Article, Reply } from '../wechat/types.js';
import { isTokenRejected, unreachableError } from './errors.js';
import { createExchange, type ExchangeOptions, readJson } from './http.js';
import { readMedia } from './media.js';
import { createRedactor } from './redact.js';
import { createAccessTokens } from './token.js';
import type { MediaType, RequestOptions, TypingCommand, UploadedMedia, WechatApi, WechatApiOptions } from './types.js';

export const DEFAULT_API_BASE = 'https://api.weixin.qq.com';

export function createWechatApi({
  appId,
  appSecret,
  apiBase = DEFAULT_API_BASE,
  store,
  fetch = globalThis.fetch,
  timeoutMs = 5000,
  logger = silentLogger,
  now = Date.now,
  refreshMarginMs = 300_000,
  lockWaitMs = timeoutMs + 1000,
  lockPollMs = 50,
  maxMediaBytes = 20 * 1024 * 1024,
}: WechatApiOptions): WechatApi {
  if (!appId) {
    throw new ConfigError('wechat.appId', 'The WeChat API needs the AppID.', {
      hint: 'Set WECHAT_APP_ID to the AppID from 公众平台 → 开发 → 基本配置.',
    });
  }
  if (!appSecret) {
    throw new ConfigError('wechat.appSecret', 'The WeChat API needs the AppSecret.', {
      hint: 'Set WECHAT_APP_SECRET to the AppSecret from 公众平台 → 开发 → 基本配置.',
    });
  }
  if (!URL.canParse(apiBase) || !/^https?:$/.test(new URL(apiBase).protocol)) {
    throw new ConfigError('wechat.apiBase', `wechat.apiBase is not an http(s) URL: ${apiBase}`, {
      hint: `Leave it unset for ${DEFAULT_API_BASE}, or give the full URL of a proxy for it.`,
    });
  }

  const redactor = createRedactor([appSecret]);
  const exchange = createExchange({ apiBase, fetch, timeoutMs, redactor });
  const readAnswer = readJson(redactor);
  const tokens = createAccessTokens({
    appId,
    appSecret,
    store,
    exchange,
    redactor,
    logger,
    now,
    refreshMarginMs,
    lockWaitMs,
    lockPollMs,
  });

  /** Runs one exchange with the access_token; a refused token is renewed and the exchange retried once. */
  async function withToken<T>(
    path: string,
    { query, signal, ...rest }: ExchangeOptions,
    read: (response: Response, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const attempt = (token: string) =>
      exchange(path, { ...rest, signal, query: { access_token: token, ...query } }, read);
    const token = await tokens.getAccessToken({ signal });
    try {
      return await attempt(token);
    } catch (error) {
      if (!isTokenRejected(error)) throw error;
      logger.warn(
        { appId, path, errcode: error.errcode },
        'WeChat refused the access_token; fetching a new one and retrying once',
      );
      return attempt(await tokens.renewAccessToken(token, signal));
    }
  }

  function call<T extends object = Record<string, unknown>>(path: string, options: ExchangeOptions = {}): Promise<T> {
    return withToken(path, options, readAnswer<T>);
  }

  async function send(touser: string, reply: Reply, options: RequestOptions): Promise<void> {
    await call('/cgi-bin/message/custom/send', { json: { touser, ...toCustomMessage(reply) }, ...options });
  }

  function toCustomMessage(reply: Reply): Record<string, unknown> {
    switch (reply.type) {
      case 'text':
        return { msgtype: 'text', text: { content: reply.content } };
      case 'image':
      case 'voice':
        return { msgtype: reply.type, [reply.type]: { media_id: reply.mediaId } };
      case 'video':
        return {
          msgtype: 'video',
          video: { media_id: reply.mediaId, title: reply.title, description: reply.description },
        };
      case 'music':
        return {
          msgtype: 'music',
          music: {
            title: reply.title,
            description: reply.description,
            musicurl: reply.musicUrl,
            hqmusicurl: reply.hqMusicUrl,
            thumb_media_id: reply.thumbMediaId,
          },
        };
      case 'news':
        return { msgtype: 'news', news: { articles: reply.articles.map(toArticle) } };
      default:
        throw new ProtocolError(
          'REPLY_INVALID',
          `A ${reply.type} reply cannot be sent as a customer-service message.`,
          {
            hint: 'Push only text, image, voice, video, music or news replies.',
          },
        );
    }
  }

  return {
    appId,
    getAccessToken: (options) => tokens.getAccessToken(options),
    call,
    sendText: (openid, content, options = {}) => send(openid, { type: 'text', content }, options),
    sendImage: (openid, mediaId, options = {}) => send(openid, { type: 'image', mediaId }, options),
    sendVoice: (openid, mediaId, options = {}) => send(openid, { type: 'voice', mediaId }, options),
    sendNews: (openid, articles, options = {}) => send(openid, { type: 'news', articles }, options),
    sendReply: (openid, reply, options = {}) => send(openid, reply, options),

    async typing(openid, command: TypingCommand = 'Typing', options = {}) {
      await call('/cgi-bin/message/custom/typing', { json: { touser: openid, command }, ...options });
    },

    downloadMedia(mediaId, options = {}) {
      return withToken(
        '/cgi-bin/media/get',
        { method: 'GET', query: { media_id: mediaId }, ...options },
        readMedia({ mediaId, maxBytes: maxMediaBytes, redactor, fetch }),
      );
    },

    async uploadMedia(type: MediaType, data, filename, contentType, options = {}): Promise<UploadedMedia> {
      const form = new FormData();
      form.set('media', new Blob([data], { type: contentType }), filename);
      const answer = await call<{ type?: unknown; media_id?: unknown; created_at?: unknown }>('/cgi-bin/media/upload', {
        query: { type },
        body: form,
        ...options,
      });
      if (typeof answer.media_id !== 'string' || !answer.media_id) {
        throw unreachableError('The WeChat API answered the upload without a media_id.');
      }
      const createdAt = Number(answer.created_at);
      return {
        type: typeof answer.type === 'string' ? (answer.type as MediaType) : type,
        mediaId: answer.media_id,
        createdAt: Number.isFinite(createdAt) && createdAt > 0 ? createdAt * 1000 : now(),
      };
    },
  };
}

function toArticle({ title, description, url, picUrl }: Article) {
  return { title, description, url, picurl: picUrl };
}
