/**
 * doctor's WeChat API check: an access_token through stable_token with the configured AppID and AppSecret — the call
 * that fails when the AppSecret is wrong or this machine's IP is not in the IP白名单. The token is not kept.
 */
import { WechatApiError } from '../errors.js';
import { apiError } from '../wechat-api/errors.js';
import { createExchange, readJson } from '../wechat-api/http.js';
import { createRedactor } from '../wechat-api/redact.js';
import { type Check, fail, ok, skip } from './types.js';

export interface WechatApiCheckOptions {
  appId?: string | undefined;
  appSecret?: string | undefined;
  apiBase: string;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

/** What each refusal means, in the words of 公众平台. */
const REFUSALS: Record<number, (error: WechatApiError, appId: string) => string> = {
  40164: (error) => {
    const ip = /invalid ip ([0-9a-f.:]+)/i.exec(error.errmsg)?.[1];
    return `WeChat sees this machine as ${ip ?? 'an IP'} that is not in the IP白名单 (40164)`;
  },
  40125: () => 'WeChat refused the AppSecret (40125)',
  40013: (_error, appId) => `WeChat does not know the AppID ${appId} (40013)`,
};

export function wechatApiCheck({
  appId,
  appSecret,
  apiBase,
  timeoutMs,
  fetch = globalThis.fetch,
}: WechatApiCheckOptions): Check {
  return {
    id: 'wechat-api',
    async run(signal) {
      if (!appId || !appSecret) {
        return skip(
          `${appId ? 'WECHAT_APP_SECRET' : 'WECHAT_APP_ID'} is not set: replies are passive only (no pushes of late answers, no voice download)`,
          'Set WECHAT_APP_ID and WECHAT_APP_SECRET (公众平台 → 开发 → 基本配置) for active delivery.',
        );
      }
      const redactor = createRedactor([appSecret]);
      const exchange = createExchange({ apiBase, fetch, timeoutMs, redactor });
      const started = performance.now();
      try {
        const answer = await exchange(
          '/cgi-bin/stable_token',
          { json: { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: false }, signal },
          readJson(redactor)<{ access_token?: unknown; expires_in?: unknown }>,
        );
        const latencyMs = Math.round(performance.now() - started);
        if (typeof answer.access_token !== 'string' || !answer.access_token) {
          return fail('stable_token answered without an access_token', apiError(-1, 'no access_token').hint);
        }
        const expires = typeof answer.expires_in === 'number' ? `, valid ${answer.expires_in} s` : '';
        return ok(`access_token fetched for ${appId}${expires}`, { latencyMs });
      } catch (error) {
        if (!(error instanceof WechatApiError)) throw error;
        const refusal = REFUSALS[error.errcode];
        const summary = refusal
          ? refusal(error, appId)
          : error.errcode === -1
            ? error.message
            : `stable_token refused with ${error.errcode}: ${error.errmsg}`;
        return fail(summary, error.hint);
      }
    },
  };
}
