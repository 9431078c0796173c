/**
 * The console's memory: the last N messages, each grouping its HTTP attempts (by MsgId or dedupe key), its model
 * calls and any later delivery. Insertion-ordered, so the oldest message is dropped first once the bound is reached.
 */
import { jobKey } from '../bot/job-key.js';
import { describeMessageType, previewMessage, previewReply } from '../bot/preview.js';
import type { MessageRecord } from '../bot/types.js';
import type { ObservedAttempt } from '../server/observer.js';
import type { InboundMessage } from '../wechat/types.js';
import type {
  ConsoleAttempt,
  ConsoleMessage,
  ConsoleVerdict,
  KnowledgeRetrieval,
  MessageSummary,
  ModelCall,
} from './types.js';

export const DEFAULT_HISTORY_SIZE = 1000;

export interface History {
  /** The message an attempt is about to be answered for (created on its first attempt). */
  open(message: InboundMessage, receivedAt: number): ConsoleMessage;
  attempt(observed: ObservedAttempt): ConsoleMessage;
  /** Ties a model call to the message it was made for (by what it carries); returns that message. */
  modelCall(call: ModelCall): ConsoleMessage | undefined;
  /** Ties a knowledge base retrieval to the newest message that asked its question; returns that message. */
  retrieval(retrieval: KnowledgeRetrieval): ConsoleMessage | undefined;
  /** A bot record that is not an attempt: a pushed answer. Returns the message it belongs to. */
  pushed(record: MessageRecord): ConsoleMessage | undefined;
  verdict(id: string, verdict: ConsoleVerdict): ConsoleMessage | undefined;
  /** Marks what a message sent from the console is (set before it is sent). */
  expect(id: string, origin: NonNullable<ConsoleMessage['origin']>): void;
  get(id: string): ConsoleMessage | undefined;
  /** Newest first. */
  list(): ConsoleMessage[];
  /** Everyone seen, newest first. */
  users(): string[];
  readonly size: number;
}

export function createHistory({ size = DEFAULT_HISTORY_SIZE }: { size?: number } = {}): History {
  const messages = new Map<string, ConsoleMessage>();
  const expected = new Map<string, NonNullable<ConsoleMessage['origin']>>();
  let refused = 0;

  function add(entry: ConsoleMessage): ConsoleMessage {
    messages.set(entry.id, entry);
    if (messages.size > size) {
      const oldest = messages.keys().next().value;
      if (oldest !== undefined) messages.delete(oldest);
    }
    return entry;
  }

  /** The newest messages first, as far back as a model call or a retrieval can belong (it comes within seconds). */
  const recent = (limit = 200) => [...messages.values()].slice(-limit).reverse();

  function open(message: InboundMessage, receivedAt: number): ConsoleMessage {
    const id = jobKey(message);
    const known = messages.get(id);
    if (known) return known;
    const origin = expected.get(id);
    expected.delete(id);
    return add({
      id,
      ...('msgId' in message && message.msgId ? { msgId: message.msgId } : {}),
      openid: message.fromUser,
      type: describeMessageType(message),
      preview: previewMessage(message, 60),
      message,
      firstAt: receivedAt,
      observed: [],
      modelCalls: [],
      ...(origin ? { origin } : {}),
    });
  }

  /** The continue word or a new question delivered a waiting answer: the user's last message left in the outbox. */
  function linkLateAnswer(by: ConsoleMessage, observed: ObservedAttempt): void {
    const source = observed.outcome?.meta?.source;
    if (source !== 'continue' && source !== 'waiting') return;
    const reply = observed.outcome?.reply;
    if (!reply || reply.type === 'success') return;
    for (const earlier of [...messages.values()].reverse()) {
      if (earlier === by || earlier.openid !== by.openid || earlier.late) continue;
      if (!earlier.observed.some((a) => a.outcome?.delivery === 'outbox')) continue;
      const at = observed.receivedAt + observed.latencyMs;
      earlier.late = {
        how: source,
        at,
        latencyMs: at - earlier.firstAt,
        replyPreview: previewReply(reply, 60),
        byId: by.id,
      };
      return;
    }
  }

  return {
    open,
    attempt(observed) {
      const entry = observed.message
        ? open(observed.message, observed.receivedAt)
        : add({
            id: `req:${++refused}`,
            openid: new URLSearchParams(observed.query).get('openid') ?? '',
            type: 'refused',
            preview: '',
            firstAt: observed.receivedAt,
            observed: [],
            modelCalls: [],
          });
      entry.observed.push(observed);
      linkLateAnswer(entry, observed);
      return entry;
    },
    modelCall(call) {
      const entry = recent().find(
        (entry) => !entry.modelCalls.some((made) => made.kind === call.kind) && callFor(call, entry),
      );
      entry?.modelCalls.push(call);
      return entry;
    },
    retrieval(retrieval) {
      const question = retrieval.question.trim();
      const entry = recent().find((entry) => !entry.retrievals?.length && questionOf(entry) === question);
      if (entry) entry.retrievals = [retrieval];
      return entry;
    },
    pushed(record) {
      // A pushed answer names its message (the job key); the user's newest message still waiting for one otherwise.
      const named = record.key === undefined ? undefined : messages.get(record.key);
      for (const entry of named ? [named] : [...messages.values()].reverse()) {
        if (entry.openid !== record.openid || entry.late) continue;
        const waiting = (a: ObservedAttempt) =>
          a.outcome?.delivery === 'outbox' || a.outcome?.meta?.source === 'push-pending';
        if (!entry.observed.some(waiting)) continue;
        entry.late = {
          how: record.delivery === 'push' ? 'push' : 'push-failed',
          at: record.time,
          latencyMs: record.time - entry.firstAt,
          replyPreview: record.replyPreview,
        };
        return entry;
      }
      return undefined;
    },
    verdict(id, verdict) {
      const entry = messages.get(id);
      if (entry) entry.verdict = verdict;
      return entry;
    },
    expect(id, origin) {
      expected.set(id, origin);
      if (expected.size > 100) expected.delete(expected.keys().next().value as string);
    },
    get: (id) => messages.get(id),
    list: () => [...messages.values()].reverse(),
    users() {
      const seen = new Set<string>();
      for (const entry of [...messages.values()].reverse()) if (entry.openid) seen.add(entry.openid);
      return [...seen];
    },
    get size() {
      return messages.size;
    },
  };
}

/** The question a message put to the model: its text, or what its voice said (recognised, or transcribed). */
function questionOf(entry: ConsoleMessage): string | undefined {
  const message = entry.message;
  if (message?.type === 'text') return message.content.trim();
  if (message?.type !== 'voice') return undefined;
  const heard = message.recognition ?? entry.modelCalls.find((made) => made.kind === 'transcribe')?.answer;
  return heard?.trim();
}

/**
 * Whether a model call was made for this message: the question it carries (text, voice recognition or its
 * transcription, the image), or the prompt of an image command; a transcription for a voice message.
 */
function callFor(call: ModelCall, entry: ConsoleMessage): boolean {
  const message = entry.message;
  if (!message) return false;
  if (call.kind === 'transcribe') return message.type === 'voice';
  const asked = call.messages?.filter((sent) => sent.role === 'user').at(-1)?.content;
  if (call.kind === 'image') {
    return message.type === 'text' && typeof asked === 'string' && message.content.includes(asked);
  }
  if (typeof asked === 'string') return questionOf(entry) === asked.trim();
  return (
    message.type === 'image' &&
    (asked ?? []).some((part) => part.type === 'image_url' && part.imageUrl === message.picUrl)
  );
}

/** One attempt as the console shows it, made when read (recording keeps what the webhook reported, as it was). */
function toAttempt(observed: ObservedAttempt, index: number): ConsoleAttempt {
  const { outcome } = observed;
  return {
    n: outcome?.attempt ?? index + 1,
    receivedAt: observed.receivedAt,
    latencyMs: observed.latencyMs,
    query: observed.query,
    body: observed.body,
    encrypted: observed.encrypted,
    ...(observed.status === undefined ? {} : { status: observed.status }),
    ...(outcome ? { delivery: outcome.delivery } : {}),
    ...(typeof outcome?.meta?.source === 'string' ? { source: outcome.meta.source } : {}),
    ...(outcome?.reply ? { reply: outcome.reply } : {}),
    ...(observed.inboundXml === undefined ? {} : { inboundXml: observed.inboundXml }),
    ...(observed.replyXml === undefined ? {} : { replyXml: observed.replyXml }),
    ...(observed.responseBody === undefined ? {} : { responseBody: observed.responseBody }),
    ...(observed.error
      ? { error: observed.error.code ? `${observed.error.code}: ${observed.error.message}` : observed.error.message }
      : typeof outcome?.meta?.llmError === 'string'
        ? { error: outcome.meta.llmError }
        : {}),
  };
}

export function attemptsOf(entry: ConsoleMessage): ConsoleAttempt[] {
  return entry.observed.map(toAttempt);
}

/** The attempt that carried the answer: the last one that wrote something. */
function answering(attempts: ConsoleAttempt[]): ConsoleAttempt | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) {
    const attempt = attempts[i];
    if (attempt && attempt.status !== undefined && attempt.delivery !== 'dropped') return attempt;
  }
  return undefined;
}

function describePath(entry: ConsoleMessage, attempts: ConsoleAttempt[], answer: ConsoleAttempt | undefined): string {
  const last = attempts.at(-1);
  if (!last) return 'in flight';
  if (last.error && last.status !== undefined && last.status >= 400) return `refused ${last.status}`;
  if (!answer) {
    if (last.delivery !== 'dropped') return 'in flight';
    return attempts.length >= 3 ? `dropped (${attempts.length} attempts)` : `attempt ${last.n} dropped, WeChat retries`;
  }
  if (answer.delivery === 'outbox' || answer.source === 'push-pending') {
    const start = answer.source === 'push-pending' ? 'success' : 'outbox';
    if (!entry.late) return start;
    const how = entry.late.how === 'continue' ? '继续' : entry.late.how === 'waiting' ? 'next message' : entry.late.how;
    return `${start} → ${how}`;
  }
  if (answer.delivery === 'repeat') return `repeat (attempt ${answer.n})`;
  return `attempt ${answer.n}`;
}

export function summarize(entry: ConsoleMessage): MessageSummary {
  const attempts = attemptsOf(entry);
  const answer = answering(attempts);
  const last = attempts.at(-1);
  const waiting = answer?.delivery === 'outbox' || answer?.source === 'push-pending';
  const state: MessageSummary['state'] = !last
    ? 'pending'
    : last.error && last.status !== undefined && last.status >= 400
      ? 'refused'
      : answer
        ? waiting && !entry.late
          ? 'waiting'
          : 'answered'
        : last.delivery === 'dropped' && attempts.length >= 3
          ? 'dropped'
          : 'pending';
  const delivered = entry.late && waiting ? entry.late : undefined;
  const replyPreview = delivered ? delivered.replyPreview : answer?.reply ? previewReply(answer.reply, 60) : '';
  const error = attempts.find((attempt) => attempt.error)?.error;
  return {
    id: entry.id,
    ...(entry.msgId ? { msgId: entry.msgId } : {}),
    openid: entry.openid,
    type: entry.type,
    preview: entry.preview,
    at: entry.firstAt,
    attempts: attempts.length,
    state,
    ...(answer?.reply ? { replyType: answer.reply.type } : {}),
    replyPreview,
    path: describePath(entry, attempts, answer),
    ...(answer?.source ? { source: answer.source } : {}),
    ...(delivered
      ? { latencyMs: delivered.latencyMs }
      : answer
        ? { latencyMs: answer.receivedAt + answer.latencyMs - entry.firstAt }
        : {}),
    ...(error ? { error } : {}),
    ...(entry.verdict ? { problems: entry.verdict.problems.length } : {}),
    ...(entry.origin ? { origin: entry.origin } : {}),
  };
}
