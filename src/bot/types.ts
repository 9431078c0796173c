/** The shapes the conversation engine works with: handlers, their context, and what one message's work produces. */
import type { Logger, ResolvedConfig } from '../config.js';
import type { AnswerSource, Session, Store } from '../store/types.js';
import type { InboundMessage, Reply } from '../wechat/types.js';

/** What a handler sees of the message being answered. */
export interface HandlerContext {
  message: InboundMessage;
  /** The user's openid. */
  openid: string;
  /** The text the user sent, when there is one (text, or voice recognition). */
  text?: string;
  store: Store;
  config: ResolvedConfig;
  logger: Logger;
  /** Loads the user's conversation (undefined when new or expired). */
  session(): Promise<Session | undefined>;
}

/**
 * A custom handler, run before the built-in keyword rules, events and the LLM: return a reply to answer,
 * or undefined to pass the message on.
 */
export type Handler = (context: HandlerContext) => Reply | undefined | Promise<Reply | undefined>;

/** How an answer reached the user, for logs and the serve output. */
export type Delivery =
  | 'passive'
  /** Answered on a retry of WeChat (attempt 2 or 3). */
  | 'retry'
  /** The answer waits in the user's outbox (the thinking notice was sent). */
  | 'outbox'
  /** Pushed with the customer-service API. */
  | 'push'
  /** A repeat of an answer already given (a retry after completion). */
  | 'repeat'
  /** Nothing was written: WeChat had already dropped the connection. */
  | 'dropped';

/** One line per message: what serve prints and what the structured log records. */
export interface MessageRecord {
  time: number;
  openid: string;
  messageType: string;
  preview: string;
  replyType: Reply['type'];
  replyPreview: string;
  attempt: number;
  delivery: Delivery;
  latencyMs: number;
  /** The kind of work that produced the answer: command, keyword, event, llm, handler, error… */
  source?: AnswerSource | 'push-failed';
  /** For a pushed answer: how many messages it took. */
  pushedPages?: number;
  /** The message's job key (MsgId, or user + time + content for messages without one): a push names its question. */
  key?: string;
  error?: string;
}
