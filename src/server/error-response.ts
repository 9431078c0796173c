/** The one place that turns an error into the HTTP answer of the webhook: a status and a clear plain text. */
import { WechatGptError } from '../wechat/errors.js';

export interface ErrorResponse {
  status: number;
  body: string;
}

export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof WechatGptError && error.status < 500) {
    return { status: error.status, body: `${error.code}: ${error.message}${error.hint ? ` ${error.hint}` : ''}\n` };
  }
  // Ours, not the caller's: WeChat shows its error page for a 5xx, so the webhook never lets one reach here for POST.
  return { status: 500, body: 'INTERNAL: an unexpected error; see the server log.\n' };
}
