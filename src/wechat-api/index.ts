/** The WeChat server API (api.weixin.qq.com): names only. */
export { createWechatApi, DEFAULT_API_BASE } from './client.js';
export {
  apiError,
  classifyPushFailure,
  isPushForbidden,
  isPushUnavailable,
  isTokenRejected,
  type PushFailure,
  TOKEN_REJECTED_ERRCODES,
  unreachableError,
} from './errors.js';
export type { QueryValue } from './http.js';
export { accessTokenKeys, type TokenRequestOptions } from './token.js';
export type {
  CallOptions,
  DownloadedMedia,
  MediaType,
  RequestOptions,
  TypingCommand,
  UploadedMedia,
  WechatApi,
  WechatApiOptions,
} from './types.js';
