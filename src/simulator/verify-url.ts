/** The URL check that 服务器配置's 提交 button runs: a signed GET that must echo `echostr` back, unchanged. */
import { computeSignature } from '../wechat/index.js';
import { exchange, type FetchLike } from './http.js';
import { newEchostr, newNonce } from './ids.js';

export interface VerifyUrlOptions {
  url: string;
  token: string;
  timeoutMs?: number;
  fetch?: FetchLike;
  signal?: AbortSignal;
  now?: () => number;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export interface VerifyUrlResult {
  ok: boolean;
  status?: number;
  /** One sentence: why it passed or what to fix. */
  reason: string;
  latencyMs: number;
  body?: string;
}

export async function verifyUrl({
  url,
  token,
  timeoutMs = 5000,
  fetch = globalThis.fetch,
  signal,
  now = Date.now,
  timestamp = String(Math.floor(now() / 1000)),
  nonce = newNonce(),
  echostr = newEchostr(),
}: VerifyUrlOptions): Promise<VerifyUrlResult> {
  const target = new URL(url);
  target.searchParams.set('signature', computeSignature(token, timestamp, nonce));
  target.searchParams.set('timestamp', timestamp);
  target.searchParams.set('nonce', nonce);
  target.searchParams.set('echostr', echostr);
  const result = await exchange({
    fetch,
    url: target.href,
    init: { method: 'GET', headers: { 'User-Agent': 'Mozilla/4.0' } },
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  const { latencyMs } = result;
  if (result.kind === 'timeout') {
    return { ok: false, latencyMs, reason: `No answer within ${timeoutMs} ms: is the server running and reachable?` };
  }
  if (result.kind === 'error') return { ok: false, latencyMs, reason: `Could not connect (${result.message}).` };
  const { status, body } = result;
  if (status === 401) {
    return {
      ok: false,
      status,
      body,
      latencyMs,
      reason: 'HTTP 401: the server refused the signature; the Token differs.',
    };
  }
  if (status !== 200)
    return { ok: false, status, body, latencyMs, reason: `HTTP ${status}: WeChat needs 200 with echostr.` };
  if (body !== echostr) {
    const shown = body.length > 60 ? `${body.slice(0, 60)}…` : body;
    return {
      ok: false,
      status,
      body,
      latencyMs,
      reason: `Answered "${shown}" instead of echostr ${echostr}, unchanged.`,
    };
  }
  return { ok: true, status, body, latencyMs, reason: 'Echoed echostr: 服务器配置 will accept this URL and Token.' };
}
