/**
 * How the console's history keeps a message: a few strings the webhook already held (the query, the bodies, the XML
 * documents) and numbers, in objects of one fixed shape — no parsed message, no reply, no outcome. With a 1,000-message
 * history every message kept survives the young generation and is promoted, so each object kept is work the GC does
 * per webhook request even with no browser open. What a page shows (the parsed message, the reply, previews) is
 * derived again from the XML when a page asks, which is rare.
 */
import type { Delivery } from '../bot/types.js';
import type { ObservedAttempt } from '../server/observer.js';
import { parseMessage, parseReplyXml } from '../wechat/index.js';
import type { InboundMessage, Reply } from '../wechat/types.js';
import type { ConsoleAttempt, ConsoleMessage, KnowledgeRetrieval, LateDelivery, ModelCall } from './types.js';

/** A message's type as a string constant of this module (so recording allocates none). */
export type Kind = InboundMessage['type'] | 'refused';
const KINDS: Record<string, Kind> = {
  text: 'text',
  image: 'image',
  voice: 'voice',
  video: 'video',
  shortvideo: 'shortvideo',
  location: 'location',
  link: 'link',
  event: 'event',
};
export const kindOf = (message: InboundMessage): Kind => KINDS[message.type] ?? 'unknown';

/**
 * Decrypts a 安全模式 envelope (a request's body or an encrypted reply) with this account's key. With one the history
 * keeps only what went over the wire and decrypts it again when a page reads it, instead of keeping both sides.
 */
export interface Opener {
  /** Whether envelopes recorded now can be opened later (the key is known). */
  ready(): boolean;
  open(envelope: string): string | undefined;
}

/** Bits of StoredAttempt.sealed: which XML documents are read back from their envelope. */
const INBOUND_SEALED = 1;
const REPLY_SEALED = 2;

/** What few messages have: model calls, a retrieval, a later delivery, a verdict, an origin. Made when first needed. */
export interface Extras {
  modelCalls: ModelCall[];
  retrievals?: KnowledgeRetrieval[];
  late?: LateDelivery;
  verdict?: ConsoleMessage['verdict'];
  origin?: ConsoleMessage['origin'];
}

/** One HTTP attempt as kept. Times are ms from the history's epoch (small integers: no heap number per field). */
export class StoredAttempt {
  constructor(
    readonly at: number,
    readonly latencyMs: number,
    /** The HTTP status written; -1 when nothing was. */
    readonly status: number,
    /** The bot's attempt number; 0 when the request was refused before the bot saw it. */
    readonly n: number,
    readonly delivery: Delivery | undefined,
    readonly source: string | undefined,
    /** The answer's reply type ('success' has no XML); undefined when there was none. */
    readonly replyType: Reply['type'] | undefined,
    readonly encrypted: boolean,
    /** Which of inboundXml and replyXml were left out, to be decrypted from body and responseBody when read. */
    readonly sealed: number,
    readonly query: string,
    readonly body: string,
    readonly inboundXml: string | undefined,
    readonly replyXml: string | undefined,
    readonly responseBody: string | undefined,
    readonly error: string | undefined,
  ) {}
}

/**
 * A whole number that fits a small integer as one (no heap number in an object's field): a difference of two Date.now()
 * values arrives as a heap number even when it is small and whole. Others are kept as they are.
 */
export const small = (value: number): number => ((value | 0) === value ? value | 0 : value);

/** What the history keeps of an attempt the webhook reported; `epoch` is the history's time origin. */
export function storeAttempt(observed: ObservedAttempt, epoch: number, opener?: Opener): StoredAttempt {
  const { outcome, error, inboundXml, replyXml, responseBody } = observed;
  const opens = observed.encrypted && opener?.ready() === true;
  const sealed =
    (opens && inboundXml !== undefined ? INBOUND_SEALED : 0) |
    (opens && replyXml !== undefined && responseBody?.includes('<Encrypt>') ? REPLY_SEALED : 0);
  const source = outcome?.meta?.source;
  const llmError = outcome?.meta?.llmError;
  return new StoredAttempt(
    small(observed.receivedAt - epoch),
    small(observed.latencyMs),
    observed.status ?? -1,
    outcome?.attempt ?? 0,
    outcome?.delivery,
    typeof source === 'string' ? source : undefined,
    outcome?.reply?.type,
    observed.encrypted,
    sealed,
    observed.query,
    observed.body,
    sealed & INBOUND_SEALED ? undefined : inboundXml,
    sealed & REPLY_SEALED ? undefined : replyXml,
    responseBody,
    error
      ? error.code
        ? `${error.code}: ${error.message}`
        : error.message
      : typeof llmError === 'string'
        ? llmError
        : undefined,
  );
}

/** One message as kept: the newest few also hold their parsed message (model calls look for it within seconds). */
export class StoredMessage {
  /** The message as parsed by the webhook, while it is among the newest; parsed again from the XML after. */
  recent: InboundMessage | undefined;
  /** The first attempt, and any others (WeChat's retries) in order. */
  first: StoredAttempt | undefined;
  more: StoredAttempt[] | undefined;
  extras: Extras | undefined;

  constructor(
    readonly id: string,
    readonly openid: string,
    readonly kind: Kind,
    /** ms from the history's epoch. */
    readonly firstAt: number,
    message: InboundMessage | undefined,
  ) {
    this.recent = message;
    this.first = undefined;
    this.more = undefined;
    this.extras = undefined;
  }

  add(attempt: StoredAttempt): void {
    if (!this.first) this.first = attempt;
    else if (this.more) this.more.push(attempt);
    else this.more = [attempt];
  }

  attempts(): StoredAttempt[] {
    if (!this.first) return [];
    return this.more ? [this.first, ...this.more] : [this.first];
  }

  get extra(): Extras {
    this.extras ??= { modelCalls: [] };
    return this.extras;
  }

  /** The message, parsed again from the inbound XML when it is no longer among the newest. */
  message(opener: Opener | undefined): InboundMessage | undefined {
    if (this.recent) return this.recent;
    const attempt = this.attempts().find((a) => a.inboundXml !== undefined || a.sealed & INBOUND_SEALED);
    const xml = attempt && inboundXmlOf(attempt, opener);
    if (xml === undefined) return undefined;
    try {
      return parseMessage(xml);
    } catch {
      return undefined;
    }
  }
}

function inboundXmlOf(attempt: StoredAttempt, opener: Opener | undefined): string | undefined {
  return attempt.sealed & INBOUND_SEALED ? opener?.open(attempt.body) : attempt.inboundXml;
}

function replyXmlOf(attempt: StoredAttempt, opener: Opener | undefined): string | undefined {
  return attempt.sealed & REPLY_SEALED && attempt.responseBody !== undefined
    ? opener?.open(attempt.responseBody)
    : attempt.replyXml;
}

/** The reply an attempt carried, read back from its XML. */
function replyOf(attempt: StoredAttempt, replyXml: string | undefined): Reply | undefined {
  if (attempt.replyType === 'success') return { type: 'success' };
  if (replyXml === undefined) return undefined;
  try {
    const { toUser: _to, fromUser: _from, createTime: _time, ...reply } = parseReplyXml(replyXml);
    return reply as Reply;
  } catch {
    return undefined;
  }
}

/** One attempt as the console shows it. */
export function toConsoleAttempt(
  attempt: StoredAttempt,
  index: number,
  epoch: number,
  opener: Opener | undefined,
): ConsoleAttempt {
  const inboundXml = inboundXmlOf(attempt, opener);
  const replyXml = replyXmlOf(attempt, opener);
  const reply = replyOf(attempt, replyXml);
  return {
    n: attempt.n || index + 1,
    receivedAt: attempt.at + epoch,
    latencyMs: attempt.latencyMs,
    query: attempt.query,
    body: attempt.body,
    encrypted: attempt.encrypted,
    ...(attempt.status === -1 ? {} : { status: attempt.status }),
    ...(attempt.delivery ? { delivery: attempt.delivery } : {}),
    ...(attempt.source ? { source: attempt.source } : {}),
    ...(reply ? { reply } : {}),
    ...(inboundXml === undefined ? {} : { inboundXml }),
    ...(replyXml === undefined ? {} : { replyXml }),
    ...(attempt.responseBody === undefined ? {} : { responseBody: attempt.responseBody }),
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
  };
}
