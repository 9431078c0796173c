/** The dev console's records: one per message (not per HTTP request), with its attempts, model calls and pushes. */
import type { Delivery } from '../bot/types.js';
import type { LlmMessage } from '../llm/types.js';
import type { InboundMessage, Reply } from '../wechat/types.js';

/** One HTTP attempt of a message, as the webhook saw it. */
export interface ConsoleAttempt {
  /** The bot's attempt number (WeChat's delivery count for the MsgId); the console's order when refused. */
  n: number;
  receivedAt: number;
  latencyMs: number;
  /** Undefined when nothing was written (WeChat had hung up). */
  status?: number;
  delivery?: Delivery;
  source?: string;
  error?: string;
  query: string;
  /** The body as received (the encrypted envelope in 安全模式). */
  body: string;
  encrypted: boolean;
  inboundXml?: string;
  reply?: Reply;
  replyXml?: string;
  /** What was written, encrypted when the request was. */
  responseBody?: string;
}

/** One call to the model made while answering a message. Never holds the API key. */
export interface ModelCall {
  kind: 'chat' | 'transcribe' | 'image';
  at: number;
  latencyMs: number;
  model: string;
  messages?: LlmMessage[];
  answer?: string;
  usage?: { promptTokens: number; completionTokens: number };
  finishReason?: string;
  error?: string;
}

/** What the knowledge base gave the model for a message's question (kb.topK passages, most similar first). */
export interface KnowledgeRetrieval {
  question: string;
  at: number;
  /** Embedding the question and searching, ms. */
  embedMs: number;
  searchMs: number;
  passages: Array<{ title: string; url?: string; score: number; text: string }>;
  /** Why nothing was retrieved (the embeddings endpoint failed…). */
  error?: string;
}

/** An answer that went out after the message's own attempts: pushed (客服消息) or fetched with the continue word. */
export interface LateDelivery {
  how: 'push' | 'push-failed' | 'continue' | 'waiting';
  at: number;
  /** From the message's arrival. */
  latencyMs: number;
  replyPreview: string;
  /** The message that carried it (continue word or a new question). */
  byId?: string;
}

/** What the simulator (chat and replay) judged about the final answer, as WeChat would. */
export interface ConsoleVerdict {
  ok: boolean;
  userSees: string;
  problems: string[];
}

/** A message as the console's pages read it: made from the history's compact record when asked. */
export interface ConsoleMessage {
  /** The dedupe key (msg:<MsgId>, evt:…), or req:<n> for a request refused before it could be read. */
  id: string;
  msgId?: string;
  openid: string;
  type: string;
  preview: string;
  message?: InboundMessage;
  firstAt: number;
  /** Its HTTP attempts in order. */
  attempts: ConsoleAttempt[];
  modelCalls: ModelCall[];
  /** Knowledge base retrievals for the question (with a knowledge base loaded). */
  retrievals?: KnowledgeRetrieval[];
  late?: LateDelivery;
  verdict?: ConsoleVerdict;
  /** Sent from the console: by the chat pane, or replaying another message. */
  origin?: { kind: 'chat' } | { kind: 'replay'; of: string };
}

/** A timeline row. */
export interface MessageSummary {
  id: string;
  msgId?: string;
  openid: string;
  type: string;
  preview: string;
  at: number;
  attempts: number;
  /** pending until an attempt answered; refused for requests the webhook turned away. */
  state: 'pending' | 'answered' | 'waiting' | 'dropped' | 'refused';
  replyType?: Reply['type'];
  replyPreview: string;
  /** attempt 1, attempt 2, outbox → 继续, push, dropped, refused 401… */
  path: string;
  source?: string;
  /** How long the user waited for the answer, when it reached them. */
  latencyMs?: number;
  error?: string;
  problems?: number;
  origin?: ConsoleMessage['origin'];
}
