/** The WeChat server API client's options and surface (customer-service messages, typing, temporary media). */
import type { Logger } from '../config.js';
import type { Store } from '../store/types.js';
import type { Article, Reply } from '../wechat/types.js';
import type { QueryValue } from './http.js';
import type { TokenRequestOptions } from './token.js';

export type MediaType = 'image' | 'voice' | 'video' | 'thumb';
export type TypingCommand = 'Typing' | 'CancelTyping';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this request. */
  timeoutMs?: number;
}

export interface CallOptions extends RequestOptions {
  /** Defaults to POST when there is a body, else GET. */
  method?: 'GET' | 'POST';
  /** Added to the URL after access_token. */
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** Any other body (FormData for uploads). */
  body?: FormData | Blob | string | Uint8Array;
}

export interface DownloadedMedia {
  data: Buffer;
  contentType: string;
  /** From Content-Disposition, else `<mediaId>.<extension>`. */
  filename: string;
}

export interface UploadedMedia {
  type: MediaType;
  mediaId: string;
  /** Epoch ms. Temporary media lasts 3 days from then. */
  createdAt: number;
}

export interface WechatApiOptions {
  appId: string;
  appSecret: string;
  /** Default https://api.weixin.qq.com (tests point it at a local fake). */
  apiBase?: string;
  /** Where the access_token is shared: the Redis store makes every instance use one token. */
  store: Store;
  fetch?: typeof globalThis.fetch;
  /** Per request, reading the body included (default 5 s). */
  timeoutMs?: number;
  logger?: Logger;
  now?: () => number;
  /** Fetch a new access_token this long before it expires (default 300 s). */
  refreshMarginMs?: number;
  /** How long to wait for another instance refreshing the token before fetching anyway (default timeoutMs + 1 s). */
  lockWaitMs?: number;
  /** How often to look for the token another instance is fetching (default 50 ms). */
  lockPollMs?: number;
  /** The largest media download accepted (default 20 MB). */
  maxMediaBytes?: number;
}

export interface WechatApi {
  readonly appId: string;
  /** A valid access_token: the cached one, or one fetched by stable_token (shared by concurrent callers). */
  getAccessToken(options?: TokenRequestOptions): Promise<string>;
  /**
   * Calls any API under apiBase with the access_token. Returns the JSON answer; a non-zero errcode throws a
   * WechatApiError. A refused token (40001, 40014, 42001) is renewed and the call retried once.
   */
  call<T extends object = Record<string, unknown>>(path: string, options?: CallOptions): Promise<T>;
  sendText(openid: string, content: string, options?: RequestOptions): Promise<void>;
  sendImage(openid: string, mediaId: string, options?: RequestOptions): Promise<void>;
  sendVoice(openid: string, mediaId: string, options?: RequestOptions): Promise<void>;
  /** WeChat shows one article per customer-service news message. */
  sendNews(openid: string, articles: Article[], options?: RequestOptions): Promise<void>;
  /** Sends a passive-style Reply as a customer-service message (text, image, voice, video, music, news). */
  sendReply(openid: string, reply: Reply, options?: RequestOptions): Promise<void>;
  /** The "typing…" indicator: needs an interaction within 30 s, lasts 15 s. */
  typing(openid: string, command?: TypingCommand, options?: RequestOptions): Promise<void>;
  downloadMedia(mediaId: string, options?: RequestOptions): Promise<DownloadedMedia>;
  uploadMedia(
    type: MediaType,
    data: Buffer | Uint8Array,
    filename: string,
    contentType: string,
    options?: RequestOptions,
  ): Promise<UploadedMedia>;
}
