/** One HTTP exchange with the WeChat API: the URL, a timeout that covers reading the body, and failures as errcode -1. */
import { WechatApiError } from '../errors.js';
import { apiError, unreachableError } from './errors.js';
import type { Redactor } from './redact.js';

export type QueryValue = string | number | boolean | undefined;

export interface ExchangeOptions {
  /** Defaults to POST when there is a body, else GET. */
  method?: 'GET' | 'POST';
  query?: Record<string, QueryValue>;
  /** Sent as application/json (UTF-8, unescaped: WeChat shows \uXXXX escapes literally in some APIs). */
  json?: unknown;
  /** Any other body (FormData for uploads). */
  body?: FormData | Blob | string | Uint8Array;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Sends the request and hands the response to `read`, all within the timeout. */
export type Exchange = <T>(
  path: string,
  options: ExchangeOptions,
  read: (response: Response, signal: AbortSignal) => Promise<T>,
) => Promise<T>;

export interface ExchangeSettings {
  apiBase: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  redactor: Redactor;
}

export function createExchange({ apiBase, fetch, timeoutMs, redactor }: ExchangeSettings): Exchange {
  const base = apiBase.replace(/\/+$/, '');
  const host = new URL(base).host;

  return async function exchange(path, { method, query = {}, json, body, signal, timeoutMs: ms = timeoutMs }, read) {
    const url = new URL(`${base}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    signal?.throwIfAborted();
    const timer = AbortSignal.timeout(ms);
    const combined = signal ? AbortSignal.any([signal, timer]) : timer;
    const init: RequestInit = {
      method: method ?? (json !== undefined || body !== undefined ? 'POST' : 'GET'),
      signal: combined,
    };
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      init.headers = { 'content-type': 'application/json; charset=utf-8' };
    } else if (body !== undefined) {
      init.body = body;
    }

    try {
      return await read(await fetch(url, init), combined);
    } catch (error) {
      // The caller's own abort is theirs to handle, not an outage.
      if (signal?.aborted) throw signal.reason;
      if (error instanceof WechatApiError) throw error;
      const cause = redactor.redactError(error);
      if (timer.aborted) {
        throw unreachableError(`No answer from ${host}${path} within ${ms} ms.`, {
          cause,
          hint: 'api.weixin.qq.com is slow or unreachable from here: check the network and proxy, or raise the timeout.',
        });
      }
      const code = systemCode(error);
      throw unreachableError(`Could not reach ${host}${path}${code ? ` (${code})` : ''}.`, { cause });
    }
  };
}

/** Reads a JSON answer: a non-zero errcode becomes a WechatApiError; anything that is not JSON, errcode -1. */
export function readJson(redactor: Redactor) {
  return async function readJsonAnswer<T>(response: Response): Promise<T> {
    const text = await response.text();
    const parsed = parseJson(text);
    if (parsed === undefined) {
      const what = response.ok ? 'an answer that is not JSON' : `HTTP ${response.status}`;
      throw unreachableError(`The WeChat API answered with ${what}: ${redactor.redact(text.slice(0, 120))}`);
    }
    throwIfErrcode(parsed, redactor);
    return parsed as T;
  };
}

/** Throws the WechatApiError for `{errcode: n≠0, errmsg}`. */
export function throwIfErrcode(answer: Record<string, unknown>, redactor: Redactor): void {
  const errcode = typeof answer.errcode === 'number' ? answer.errcode : Number(answer.errcode ?? 0);
  if (errcode === 0 || Number.isNaN(errcode)) return;
  const errmsg = typeof answer.errmsg === 'string' ? answer.errmsg : 'unknown error';
  throw apiError(errcode, redactor.redact(errmsg));
}

export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) somewhere down the cause chain, if any. */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}
