/**
 * The webhook itself: a plain (req, res) handler (express mounts it; serve routes to it directly, which is several
 * times faster than going through express). GET answers 服务器配置's URL check; POST verifies, decrypts, parses,
 * asks the bot and writes the reply, encrypted when the request was.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AttemptContext } from '../bot/attempts.js';
import type { Bot } from '../bot/bot.js';
import type { HangUp } from '../bot/hang-up.js';
import type { Logger, ResolvedConfig } from '../config.js';
import { ProtocolError, SignatureError } from '../wechat/errors.js';
import {
  buildEncryptedReply,
  decodeAesKey,
  decrypt,
  extractEncrypted,
  parseMessage,
  replyTo,
  verifyMsgSignature,
  verifySignature,
} from '../wechat/index.js';
import type { InboundMessage, Reply } from '../wechat/types.js';
import { errorResponse } from './error-response.js';
import { announcesBody, answerAndHangUp } from './hang-up.js';
import type { ObservedAttempt, WebhookMeter, WebhookObserver } from './observer.js';
import { bodyOf } from './raw-body.js';

export interface WebhookOptions {
  config: ResolvedConfig;
  bot: Bot;
  logger: Logger;
  now?: () => number;
  /** Sees every POST attempt (the dev console). Without one the hot path is unchanged. */
  observer?: WebhookObserver;
  /** Counts every attempt (/metrics); builds nothing per request. */
  meter?: WebhookMeter;
}

/** A POST's query, checked: what opening its body needs. */
interface SignedQuery {
  timestamp: string;
  nonce: string;
  /** Set when the message is encrypted (encrypt_type=aes): it covers the body's <Encrypt>. */
  msgSignature: string | null;
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}

export function createWebhookHandler({
  config,
  bot,
  logger,
  now = Date.now,
  observer,
  meter,
}: WebhookOptions): WebhookHandler {
  const { token, encodingAesKey } = config.wechat;
  const appId = config.wechat.appId ?? '';
  const aesKey = encodingAesKey ? decodeAesKey(encodingAesKey) : undefined;

  function checkTimestamp(timestamp: string): void {
    const window = config.timing.replayWindowSec;
    if (window <= 0) return;
    const seconds = Number(timestamp);
    if (!Number.isFinite(seconds) || Math.abs(now() / 1000 - seconds) > window) {
      throw new SignatureError(
        'TIMESTAMP_OUT_OF_WINDOW',
        `Timestamp ${timestamp} is outside the ±${window} s window.`,
        {
          hint: "Check the server's clock (timedatectl) or raise timing.replayWindowSec.",
        },
      );
    }
  }

  function verifyGet(query: URLSearchParams): string {
    const signature = query.get('signature');
    const timestamp = query.get('timestamp');
    const nonce = query.get('nonce');
    const echostr = query.get('echostr');
    if (!signature || !timestamp || !nonce || echostr === null) {
      throw new SignatureError('SIGNATURE_MISSING', 'The URL check needs signature, timestamp, nonce and echostr.', {
        hint: 'Open this URL from 服务器配置 (the 提交 button sends them), or run `wechat-gpt verify`.',
      });
    }
    if (!verifySignature({ token, timestamp, nonce, signature })) {
      throw new SignatureError('SIGNATURE_INVALID', 'Signature does not match the Token.');
    }
    return echostr;
  }

  /**
   * Checks a POST's query before its body is read: a forged or missing signature, or a stale timestamp, is refused at
   * once instead of after waiting for a body that may never come. WeChat signs the query in every mode (in 安全模式
   * `signature` is still sent and valid beside `msg_signature`); `msg_signature` covers the body and is checked once
   * it is read.
   */
  function checkPostQuery(query: URLSearchParams): SignedQuery {
    const timestamp = query.get('timestamp');
    const nonce = query.get('nonce');
    if (!timestamp || !nonce) {
      throw new SignatureError('SIGNATURE_MISSING', 'The request has no timestamp or nonce.');
    }
    const encrypted = query.get('encrypt_type') === 'aes';
    const signature = query.get('signature');
    const msgSignature = query.get('msg_signature');
    if (encrypted && !msgSignature) {
      throw new SignatureError('SIGNATURE_MISSING', 'encrypt_type=aes but no msg_signature.');
    }
    if (!encrypted && !signature) throw new SignatureError('SIGNATURE_MISSING', 'The request has no signature.');
    if (signature && !verifySignature({ token, timestamp, nonce, signature })) {
      throw new SignatureError('SIGNATURE_INVALID', 'Signature does not match the Token.');
    }
    checkTimestamp(timestamp);
    return { timestamp, nonce, msgSignature: encrypted ? msgSignature : null };
  }

  /** Opens a POST whose query checked out: the inner XML and whether the reply must be encrypted. */
  function openPost(
    { timestamp, nonce, msgSignature }: SignedQuery,
    body: string,
  ): { xml: string; encrypted: boolean } {
    if (msgSignature === null) return { xml: body, encrypted: false };
    const envelope = extractEncrypted(body);
    if (!envelope) throw new ProtocolError('XML_MISSING_FIELD', 'encrypt_type=aes but the body has no <Encrypt>.');
    if (!verifyMsgSignature({ token, timestamp, nonce, encrypt: envelope.encrypt, msgSignature })) {
      throw new SignatureError('SIGNATURE_INVALID', 'msg_signature does not match the Token.');
    }
    if (!aesKey) {
      throw new ProtocolError('KEY_INVALID', 'The message is encrypted but no EncodingAESKey is configured.', {
        hint: 'Set WECHAT_AES_KEY to the EncodingAESKey of 服务器配置, or switch 消息加解密方式 to 明文模式.',
      });
    }
    return { xml: decrypt({ aesKey, appId, encrypted: envelope.encrypt }), encrypted: true };
  }

  function render(
    reply: Reply,
    message: InboundMessage,
    encrypted: boolean,
    nonce: string,
    seen?: Observation,
  ): string {
    if (reply.type === 'success') return 'success';
    const createTime = Math.floor(now() / 1000);
    const xml = replyTo(message, reply, { createTime });
    if (seen) seen.replyXml = xml;
    if (!encrypted || !aesKey) return xml;
    return buildEncryptedReply({ token, aesKey, appId, xml, nonce, timestamp: String(createTime) });
  }

  /** Hands the observer what this attempt was, once it is over: the object filled in as it went, not a copy. */
  function report(seen: Observation, res: ServerResponse, error?: unknown): void {
    const written = res.headersSent;
    seen.latencyMs = now() - seen.receivedAt;
    if (!written) seen.responseBody = undefined;
    seen.status = written ? res.statusCode : undefined;
    if (error !== undefined) seen.error = { message: (error as Error).message, ...errorCode(error) };
    try {
      observer?.attempt(seen);
    } catch (observerError) {
      logger.warn({ err: (observerError as Error).message }, 'webhook observer failed');
    }
  }

  return async function wechatWebhook(req, res) {
    let bodyRead = false;
    // Only with an observer (the dev console): what this attempt was, filled in as it goes.
    let seen: Observation | undefined;
    try {
      if (req.method === 'GET' || req.method === 'HEAD') {
        send(res, 200, verifyGet(queryOf(req)));
        return;
      }
      if (req.method !== 'POST') {
        const refusal = 'Method not allowed: WeChat uses GET (URL check) and POST (messages).\n';
        if (announcesBody(req)) answerAndHangUp(req, res, 405, refusal, { Allow: 'GET, POST' });
        else {
          res.setHeader('Allow', 'GET, POST');
          send(res, 405, refusal);
        }
        return;
      }
      const receivedAt = now();
      if (observer) seen = new Observation(receivedAt, rawQuery(req));
      const signed = checkPostQuery(queryOf(req));
      const body = await bodyOf(req, config.limits.maxBodyBytes);
      bodyRead = true;
      if (seen) {
        seen.body = body;
        seen.encrypted = signed.msgSignature !== null;
      }
      const { xml, encrypted } = openPost(signed, body);
      const message = parseMessage(xml);
      if (seen) {
        seen.inboundXml = xml;
        seen.message = message;
        seen.handle = observer?.received(message, receivedAt);
      }

      const outcome = await bot.respond(message, new HttpAttempt(res, receivedAt));
      if (seen) seen.outcome = outcome;
      if (!outcome.reply || res.destroyed) {
        meter?.answered(message, outcome, now() - receivedAt, false);
        if (seen) report(seen, res);
        return;
      }

      let payload: string;
      try {
        payload = render(outcome.reply, message, encrypted, signed.nonce, seen);
      } catch (error) {
        // A handler returned a reply WeChat would reject: the user gets a friendly text, the log the detail.
        logger.error({ err: (error as Error).message, reply: outcome.reply.type }, 'reply could not be built');
        payload = render({ type: 'text', content: config.texts.internalError }, message, encrypted, signed.nonce, seen);
      }
      if (outcome.written) {
        // Outbox pages in this reply are gone for good only once it is written; a failed write puts them back.
        // 'finish' comes once per response: `on` spares the wrapper `once` would build on every answer of a job.
        res.on('finish', outcome.written);
      }
      send(res, 200, payload, payload === 'success' ? 'text/plain; charset=utf-8' : 'application/xml; charset=utf-8');
      meter?.answered(message, outcome, now() - receivedAt, !res.destroyed);
      if (seen) {
        seen.responseBody = payload;
        report(seen, res);
      }
    } catch (error) {
      const { status, body } = errorResponse(error);
      const level = status >= 500 ? 'error' : 'warn';
      logger[level](
        { status, code: (error as { code?: string }).code, err: (error as Error).message, method: req.method },
        'webhook request refused',
      );
      // Past verification nothing of ours may become WeChat's error page: answer success instead of a 5xx.
      const hidden = status >= 500 && req.method === 'POST';
      meter?.refused(status, hidden);
      const written = hidden ? 'success' : body;
      if (hidden) send(res, 200, written);
      // Refused before its body was read (or while reading it: too large): answer, then hang up rather than keep
      // reading an upload of any size, in a way that lets the client read the answer.
      else if (!bodyRead && announcesBody(req)) answerAndHangUp(req, res, status, body);
      else send(res, status, body);
      if (seen) {
        seen.responseBody = written;
        report(seen, res, error);
      }
    }
  };
}

/**
 * One POST attempt as the observer is told of it: made at arrival with every field (one shape), filled in as the
 * attempt goes, and handed over as it is.
 */
class Observation implements ObservedAttempt {
  latencyMs = 0;
  readonly method = 'POST';
  body = '';
  encrypted = false;
  inboundXml: string | undefined = undefined;
  message: InboundMessage | undefined = undefined;
  outcome: ObservedAttempt['outcome'] = undefined;
  replyXml: string | undefined = undefined;
  responseBody: string | undefined = undefined;
  status: number | undefined = undefined;
  error: ObservedAttempt['error'] = undefined;
  handle: unknown = undefined;

  constructor(
    readonly receivedAt: number,
    readonly query: string,
  ) {}
}

function rawQuery(req: IncomingMessage): string {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

function errorCode(error: unknown): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

/**
 * What the bot needs of the HTTP exchange: when it arrived and, only if asked (an answer that waits on a job), news of
 * the client hanging up. Answers that need no waiting add no listener. No AbortSignal either: Node builds one at a cost
 * of microseconds and collector work, on every request that waits for an answer. A class, not an object literal with
 * a getter: one shape for every request, the getter on the prototype.
 */
class HttpAttempt implements AttemptContext, HangUp {
  private watching = false;
  private wentAway = false;
  /** Who is told when the client goes: usually the one waiting attempt, so no collection until a second listens. */
  private listeners: (() => void) | Set<() => void> | undefined;

  constructor(
    private readonly res: ServerResponse,
    readonly receivedAt: number,
  ) {}

  get hangUp(): HangUp {
    if (!this.watching) {
      this.watching = true;
      // 'close' comes once per response: `on` spares the wrapper `once` would build.
      this.res.on('close', () => {
        if (this.res.writableFinished || this.wentAway) return;
        this.wentAway = true;
        const listeners = this.listeners;
        this.listeners = undefined;
        if (typeof listeners === 'function') listeners();
        else if (listeners) for (const listener of listeners) listener();
      });
    }
    return this;
  }

  get gone(): boolean {
    return this.wentAway;
  }

  listen(listener: () => void): () => void {
    if (this.wentAway) return () => {};
    const listening = this.listeners;
    if (listening === undefined) this.listeners = listener;
    else if (typeof listening === 'function') this.listeners = new Set([listening, listener]);
    else listening.add(listener);
    return () => {
      const now = this.listeners;
      if (now === listener) this.listeners = undefined;
      else if (typeof now === 'object') now.delete(listener);
    };
  }
}
