/**
 * An optional witness of the webhook (the dev console): it sees each HTTP attempt as WeChat sent it and as it was
 * answered. The webhook calls it only when one is set: without one it costs a few tests of an unset variable per
 * request.
 */
import type { AttemptOutcome } from '../bot/attempts.js';
import type { InboundMessage } from '../wechat/types.js';

/** One HTTP attempt, answered or refused. Strings are the ones the webhook already held: nothing is copied. */
export interface ObservedAttempt {
  /** Epoch ms when the request arrived. */
  receivedAt: number;
  /** From arrival to the response written (or to giving up on a dropped connection). */
  latencyMs: number;
  method: string;
  /** The raw query string (signature, timestamp, nonce, openid…; never a secret). */
  query: string;
  /** The body as received: the encrypted envelope in 安全模式/兼容模式. */
  body: string;
  /** Whether the request was encrypted (encrypt_type=aes). */
  encrypted: boolean;
  /** The decrypted inbound XML, once it could be opened. */
  inboundXml?: string;
  message?: InboundMessage;
  /** The bot's answer to this attempt (attempt number, delivery, job key, source). */
  outcome?: AttemptOutcome;
  /** The reply XML before encryption; 'success' for an empty answer. */
  replyXml?: string;
  /** What was written: the reply XML, its encrypted envelope, 'success' or an error text. Undefined when dropped. */
  responseBody?: string;
  /** The HTTP status written, or undefined when nothing was (the client had gone). */
  status?: number;
  /** Why the request was refused (a WechatGptError code and message). */
  error?: { code?: string; message: string };
  /** What the observer's received() returned for this attempt's message (the console: its entry), handed back. */
  handle?: unknown;
}

export interface WebhookObserver {
  /**
   * Told when an attempt's message has been opened, before the bot answers it (a live "in flight" row). What it
   * returns comes back as the attempt's `handle`, so the observer need not look the message up again.
   */
  received(message: InboundMessage, receivedAt: number): unknown;
  /** Told once per attempt, after the response (or the drop). */
  attempt(record: ObservedAttempt): void;
}

/**
 * The webhook's counters (/metrics): told of each attempt with nothing built for it, so it can always be on. Unlike
 * the observer it sees no bodies.
 */
export interface WebhookMeter {
  /** An attempt the bot answered: `written` is false when the client had gone (nothing reached WeChat). */
  answered(message: InboundMessage, outcome: AttemptOutcome, latencyMs: number, written: boolean): void;
  /** A refused request; `hidden` when a failure past the signature check was answered `success` instead. */
  refused(status: number, hidden: boolean): void;
}
