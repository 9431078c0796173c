/**
 * Delivers a message the way WeChat does: POST, drop the connection at the timeout (5 s), try again with the same
 * MsgId and the same body, 3 attempts in all; then judge the answer and say what the user would see.
 */
import { buildMessageXml, type InboundMessage, type ParsedReply } from '../wechat/index.js';
import { type Exchange, exchange, type FetchLike } from './http.js';
import { ERROR_PAGE_TEXT, judgeReply } from './judge.js';
import { completeMessage, type SimulatedMessage } from './message.js';
import { type SimulatedMode, signRequest } from './sign.js';

export interface DeliverOptions {
  url: string;
  /**
   * The URL of attempt n (1-based), for a load balancer that sends WeChat's retries of one message to different
   * instances. Every attempt carries the same signed query and body. Default: `url` for every attempt.
   */
  urlForAttempt?: (attempt: number) => string;
  token: string;
  mode: SimulatedMode;
  encodingAesKey?: string;
  appId?: string;
  message: SimulatedMessage;
  /** Overrides the MsgId (a fresh one by default). */
  msgId?: string;
  /** WeChat waits 5000 ms per attempt. */
  timeoutMs?: number;
  /** WeChat tries 3 times. */
  attempts?: number;
  /** Text replies above this many UTF-8 bytes are a problem (2048). */
  maxTextBytes?: number;
  fetch?: FetchLike;
  signal?: AbortSignal;
  now?: () => number;
  /** Told as each attempt starts and ends, for output that shows the wait as it happens. */
  onAttempt?: (event: AttemptEvent) => void;
}

export type AttemptEvent = { kind: 'start'; n: number } | { kind: 'end'; attempt: DeliveryAttempt };

export type AttemptOutcome = 'timeout' | 'reply' | 'error' | 'empty';

export interface DeliveryAttempt {
  n: number;
  status?: number;
  latencyMs: number;
  outcome: AttemptOutcome;
  body?: string;
  /** Why the connection failed, for outcome 'error'. */
  error?: string;
}

export interface DeliverResult {
  ok: boolean;
  attempts: DeliveryAttempt[];
  /** The final reply, decrypted when it was encrypted. */
  reply?: ParsedReply;
  /** The final response body as received. */
  rawBody?: string;
  /** From the first attempt's start to the final answer. */
  latencyMs: number;
  problems: string[];
  /** What the user's chat shows: the text, "[image mediaId]"…, '' for nothing, or WeChat's error page text. */
  userSees: string;
  /** The message as sent (MsgId, CreateTime and addressing filled in). */
  message: InboundMessage;
  /** The request body (the same on every attempt). */
  requestBody: string;
}

function toAttempt(n: number, result: Exchange): DeliveryAttempt {
  if (result.kind === 'timeout') return { n, latencyMs: result.latencyMs, outcome: 'timeout' };
  if (result.kind === 'error') return { n, latencyMs: result.latencyMs, outcome: 'error', error: result.message };
  const empty = result.body === '' || result.body === 'success';
  return {
    n,
    status: result.status,
    latencyMs: result.latencyMs,
    outcome: empty ? 'empty' : 'reply',
    body: result.body,
  };
}

function noAnswerProblem(attempts: DeliveryAttempt[], timeoutMs: number): string {
  const last = attempts.at(-1);
  const tries = `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;
  if (last?.outcome === 'error') return `Could not reach the webhook (${last.error}) on ${tries}.`;
  return `No answer within ${timeoutMs} ms on ${tries}: answer within the timeout, or "success" and send later.`;
}

export async function deliver({
  url,
  urlForAttempt = () => url,
  token,
  mode,
  encodingAesKey,
  appId,
  message,
  msgId,
  timeoutMs = 5000,
  attempts: maxAttempts = 3,
  maxTextBytes,
  fetch = globalThis.fetch,
  signal,
  now = Date.now,
  onAttempt,
}: DeliverOptions): Promise<DeliverResult> {
  const sent = completeMessage(message, { now, ...(msgId === undefined ? {} : { msgId }) });
  const xml = buildMessageXml(sent);
  // Signed once: every retry carries the same query and the same (encrypted) body, as WeChat's do.
  const request = signRequest({ token, mode, encodingAesKey, appId, xml, now });
  const target = (attempt: number) => {
    const signed = new URL(urlForAttempt(attempt));
    for (const [name, value] of request.query) signed.searchParams.set(name, value);
    return signed.href;
  };
  const init: RequestInit = {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml', 'User-Agent': 'Mozilla/4.0' },
    body: request.body,
  };

  const started = performance.now();
  const attempts: DeliveryAttempt[] = [];
  let answer: Extract<Exchange, { kind: 'response' }> | undefined;
  for (let n = 1; n <= maxAttempts && !answer; n++) {
    onAttempt?.({ kind: 'start', n });
    const result = await exchange({ fetch, url: target(n), init, timeoutMs, ...(signal ? { signal } : {}) });
    const attempt = toAttempt(n, result);
    attempts.push(attempt);
    onAttempt?.({ kind: 'end', attempt });
    if (result.kind === 'response') answer = result;
  }
  const latencyMs = Math.round(performance.now() - started);
  const base = { attempts, latencyMs, message: sent, requestBody: request.body };
  if (!answer) {
    return { ...base, ok: false, problems: [noAnswerProblem(attempts, timeoutMs)], userSees: ERROR_PAGE_TEXT };
  }
  const verdict = judgeReply({
    status: answer.status,
    body: answer.body,
    message: sent,
    mode,
    token,
    now,
    ...(encodingAesKey ? { encodingAesKey } : {}),
    ...(appId ? { appId } : {}),
    ...(maxTextBytes === undefined ? {} : { maxTextBytes }),
  });
  return { ...base, ...verdict, rawBody: answer.body };
}
