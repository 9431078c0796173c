/**
 * WeChat's errcodes as WechatApiErrors with a hint that says what to do, and the classification the delivery layer
 * uses to decide between pushing, the outbox and passive-only mode.
 */
import { WechatApiError } from '../errors.js';

/** The access_token was refused: fetch a new one and retry once. */
export const TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

const WHITELIST = '公众平台 → 开发 → 基本配置 → IP白名单';

const HINTS: Record<number, string> = {
  [-1]: 'WeChat reported a system error (系统繁忙). It usually passes within seconds; try again later.',
  40001:
    'WeChat refused the access_token even after fetching a new one. Another program using this AppSecret may be refreshing it: make every instance share one store (REDIS_URL) and use stable_token everywhere.',
  40014:
    'WeChat refused the access_token even after fetching a new one. Another program using this AppSecret may be refreshing it: make every instance share one store (REDIS_URL).',
  42001:
    'The access_token expired and the fresh one was refused too. Check that this server’s clock is right and that every instance shares one store (REDIS_URL).',
  41001: 'The request carried no access_token: this is a bug in wechat-gpt, please report it.',
  40013: 'Check WECHAT_APP_ID: it must be this account’s AppID (starts with wx), from 公众平台 → 开发 → 基本配置.',
  40125:
    'Check WECHAT_APP_SECRET: it must be the current AppSecret from 公众平台 → 开发 → 基本配置 (resetting it there invalidates the old one).',
  40164: `Add this server’s public IP to the IP whitelist: ${WHITELIST}.`,
  48001:
    'The account lacks permission for this API: unverified accounts cannot push messages. Use passive delivery (delivery: "passive"), or verify the account (微信认证).',
  45009:
    'The daily quota of this API is used up; it resets at midnight Beijing time. 公众平台 → 开发 → 接口权限 shows the quota (and can clear it a few times a month).',
  45011: 'Too many calls of this API within a minute: slow down; it resets within a minute.',
  45015:
    'The user has not messaged the account within the last 48 hours, or unsubscribed: the answer waits in the outbox for their next message.',
  45047:
    'The customer-service quota for this user is used up (5 messages per 48 h after a message): the rest waits in the outbox for their next message.',
  43004: 'The user no longer follows the account: nothing can be sent to them.',
  40003: 'The openid does not belong to this account (a different AppID, or a test account’s openid).',
  40007: 'The media_id is unknown or expired: temporary media last 3 days; upload it again.',
  40004: 'Invalid media type: use image, voice, video or thumb.',
  40005: 'WeChat does not accept this file type for the media type: images JPG/PNG, voice AMR/MP3, video MP4.',
  40006: 'The file is too large for WeChat: images ≤ 10 MB, voice ≤ 2 MB (60 s), video ≤ 10 MB, thumb ≤ 64 KB.',
  41005: 'The upload carried no media file: this is a bug in wechat-gpt, please report it.',
  44004: 'The text was empty: WeChat refuses empty content.',
  45002: 'The message is too long for WeChat: split it into shorter pages.',
};

/** The error for a WeChat answer carrying a non-zero errcode. `errmsg` must already be redacted. */
export function apiError(errcode: number, errmsg: string, { hint }: { hint?: string } = {}): WechatApiError {
  return new WechatApiError(errcode, errmsg, { hint: hint ?? hintFor(errcode, errmsg) });
}

/** The error for a WeChat API we could not reach, or that answered something that is not its API (errcode -1). */
export function unreachableError(
  reason: string,
  { cause, hint }: { cause?: unknown; hint?: string } = {},
): WechatApiError {
  return new WechatApiError(-1, reason, {
    hint:
      hint ??
      'Check that this server can reach api.weixin.qq.com (network, DNS, proxy) and that wechat.apiBase is right.',
    ...(cause === undefined ? {} : { cause }),
  });
}

function hintFor(errcode: number, errmsg: string): string | undefined {
  if (errcode === 40164) {
    // WeChat names the IP it saw ("invalid ip 1.2.3.4 ipv6 …"): the one to whitelist, which may not be the local one.
    const ip = /invalid ip ([0-9a-f.:]+)/i.exec(errmsg)?.[1];
    if (ip) return `Add ${ip} (this server’s IP as WeChat sees it) to the IP whitelist: ${WHITELIST}.`;
  }
  return HINTS[errcode];
}

export function isTokenRejected(error: unknown): error is WechatApiError {
  return error instanceof WechatApiError && TOKEN_REJECTED_ERRCODES.has(error.errcode);
}

/**
 * What a failed push means for delivery:
 * - 'forbidden': the account cannot push at all (48001): keep the answer in the outbox and stop pushing for this run;
 * - 'user': this user cannot be pushed to now (48 h window closed or unsubscribed, their quota): keep this answer in
 *   the outbox for the user's next message; pushing goes on for others;
 * - 'down': the API cannot be used by this server now (WeChat unreachable or busy, the token refused, wrong
 *   AppSecret or AppID, IP whitelist): keep the answer, answer passively until a probe shows the API works again;
 * - 'unexpected': anything else (a bad message…): keep the answer too, and log the hint loudly.
 */
export type PushFailure = 'forbidden' | 'user' | 'down' | 'unexpected';

const USER_ERRCODES: ReadonlySet<number> = new Set([45015, 45047, 43004]);
const DOWN_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45011, 40001, 40014, 42001, 40164, 40125, 40013]);

export function classifyPushFailure(error: unknown): PushFailure {
  if (!(error instanceof WechatApiError)) return 'unexpected';
  if (error.errcode === 48001) return 'forbidden';
  if (USER_ERRCODES.has(error.errcode)) return 'user';
  if (DOWN_ERRCODES.has(error.errcode)) return 'down';
  return 'unexpected';
}

/** True when a push cannot go out now for a known reason (not 'unexpected'): the answer belongs in the outbox. */
export function isPushUnavailable(error: unknown): boolean {
  return classifyPushFailure(error) !== 'unexpected';
}

/** True when the account cannot push at all (48001): switch it to passive delivery for the rest of the run. */
export function isPushForbidden(error: unknown): boolean {
  return classifyPushFailure(error) === 'forbidden';
}
