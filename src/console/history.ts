/**
 * The console's memory: the last N messages (200 by default), each grouping its HTTP attempts (by MsgId or dedupe
 * key), its model calls and any later delivery. Insertion-ordered, so the oldest message is dropped first once the bound is reached.
 * Messages are kept compact (record.ts: strings and numbers, no parsed objects) because recording happens on every
 * webhook request; reading (a page asking) parses them again.
 */
import { jobKey } from '../bot/job-key.js';
import { describeMessageType, previewMessage, previewReply } from '../bot/preview.js';
import type { MessageRecord } from '../bot/types.js';
import { ownString } from '../own-string.js';
import type { ObservedAttempt } from '../server/observer.js';
import type { InboundMessage } from '../wechat/types.js';
import { NewestMap } from './newest.js';
import {
  kindOf,
  type Opener,
  type StoredAttempt,
  StoredMessage,
  small,
  storeAttempt,
  toConsoleAttempt,
} from './record.js';
import type { ConsoleMessage, ConsoleVerdict, KnowledgeRetrieval, ModelCall } from './types.js';

export { attemptsOf, summarize } from './summary.js';

/**
 * 200 messages: what a message keeps is allocated alongside some 30 kB of the request's own garbage, so 200 of them
 * span about 6 MB of allocation, less than the young generation, and a message leaves the history before the
 * collector would promote it. With 1,000 every kept message was promoted: 1.5 kB of old-generation work per request
 * and full collections twice as often, about a tenth more CPU per request with no page open (bench: --only gc).
 */
export const DEFAULT_HISTORY_SIZE = 200;
/** How many of the newest messages keep their parsed message (model calls and retrievals come within seconds). */
const RECENT = 16;

/**
 * Recording returns the id of the message concerned (undefined when none is), open() the entry itself; reading makes
 * ConsoleMessages.
 */
export interface History {
  /**
   * The entry of the message an attempt is about to be answered for (created on its first attempt). Given back as the
   * attempt's `handle`, it saves attempt() looking the message up again.
   */
  open(message: InboundMessage, receivedAt: number): StoredMessage;
  attempt(observed: ObservedAttempt): string;
  /** Ties a model call to the message it was made for (by what it carries). */
  modelCall(call: ModelCall): string | undefined;
  /** Ties a knowledge base retrieval to the newest message that asked its question. */
  retrieval(retrieval: KnowledgeRetrieval): string | undefined;
  /** A bot record that is not an attempt: a pushed answer. */
  pushed(record: MessageRecord): string | undefined;
  verdict(id: string, verdict: ConsoleVerdict): string | undefined;
  /** Marks what a message sent from the console is (set before it is sent). */
  expect(id: string, origin: NonNullable<ConsoleMessage['origin']>): void;
  get(id: string): ConsoleMessage | undefined;
  /** Newest first; only one user's when `openid` is given. */
  list(openid?: string): ConsoleMessage[];
  /** Everyone seen, newest first. */
  users(): string[];
  readonly size: number;
}

export function createHistory({
  size = DEFAULT_HISTORY_SIZE,
  opener,
}: {
  size?: number;
  /** Decrypts 安全模式 envelopes when read, so that only the envelopes need be kept. */
  opener?: Opener;
} = {}): History {
  const messages = new NewestMap<StoredMessage>(Math.max(1, size));
  const expected = new Map<string, NonNullable<ConsoleMessage['origin']>>();
  const newest: Array<StoredMessage | undefined> = new Array(RECENT).fill(undefined);
  let turn = 0;
  let refused = 0;
  // Times are kept as ms from the first one seen: small integers fit in an object's field without a heap number.
  let epoch: number | undefined;
  const since = (time: number) => {
    epoch ??= time;
    return small(time - epoch);
  };

  function add(entry: StoredMessage): StoredMessage {
    messages.add(entry.id, entry);
    const older = newest[turn];
    if (older) older.recent = undefined;
    newest[turn] = entry;
    turn = (turn + 1) % RECENT;
    return entry;
  }

  const newestFirst = () => messages.values().reverse();
  /** The newest messages first, as far back as a model call or a retrieval can belong (it comes within seconds). */
  const recent = (limit = 200) => messages.values().slice(-limit).reverse();

  function open(message: InboundMessage, receivedAt: number): StoredMessage {
    const key = jobKey(message);
    const known = messages.get(key);
    if (known) return known;
    const id = ownString(key);
    const entry = new StoredMessage(id, ownString(message.fromUser), kindOf(message), since(receivedAt), message);
    const origin = expected.get(id);
    if (origin) {
      expected.delete(id);
      entry.extra.origin = origin;
    }
    return add(entry);
  }

  /** The entry received() gave the webhook, while the history still holds it (a slow answer may outlive it). */
  function opened(handle: unknown): StoredMessage | undefined {
    return handle instanceof StoredMessage && messages.get(handle.id) === handle ? handle : undefined;
  }

  /** The continue word or a new question delivered a waiting answer: the user's last message left in the outbox. */
  function linkLateAnswer(by: StoredMessage, observed: ObservedAttempt): void {
    const source = observed.outcome?.meta?.source;
    if (source !== 'continue' && source !== 'waiting') return;
    const reply = observed.outcome?.reply;
    if (!reply || reply.type === 'success') return;
    for (const earlier of newestFirst()) {
      if (earlier === by || earlier.openid !== by.openid || earlier.extras?.late) continue;
      if (!earlier.attempts().some((a) => a.delivery === 'outbox')) continue;
      const at = observed.receivedAt + observed.latencyMs;
      earlier.extra.late = {
        how: source,
        at,
        latencyMs: at - (earlier.firstAt + (epoch ?? 0)),
        replyPreview: previewReply(reply, 60),
        byId: by.id,
      };
      return;
    }
  }

  function view(entry: StoredMessage): ConsoleMessage {
    const message = entry.message(opener);
    const extras = entry.extras;
    const base = epoch ?? 0;
    return {
      id: entry.id,
      ...(message && 'msgId' in message && message.msgId ? { msgId: message.msgId } : {}),
      openid: entry.openid,
      type: message ? describeMessageType(message) : entry.kind,
      preview: message ? previewMessage(message, 60) : '',
      ...(message ? { message } : {}),
      firstAt: entry.firstAt + base,
      attempts: entry.attempts().map((attempt, index) => toConsoleAttempt(attempt, index, base, opener)),
      modelCalls: extras?.modelCalls ?? [],
      ...(extras?.retrievals ? { retrievals: extras.retrievals } : {}),
      ...(extras?.late ? { late: extras.late } : {}),
      ...(extras?.verdict ? { verdict: extras.verdict } : {}),
      ...(extras?.origin ? { origin: extras.origin } : {}),
    };
  }

  return {
    open,
    attempt(observed) {
      const entry = observed.message
        ? (opened(observed.handle) ?? open(observed.message, observed.receivedAt))
        : add(
            new StoredMessage(
              `req:${++refused}`,
              new URLSearchParams(observed.query).get('openid') ?? '',
              'refused',
              since(observed.receivedAt),
              undefined,
            ),
          );
      entry.add(storeAttempt(observed, epoch ?? 0, opener));
      linkLateAnswer(entry, observed);
      return entry.id;
    },
    modelCall(call) {
      const entry = recent().find(
        (entry) => !entry.extras?.modelCalls.some((made) => made.kind === call.kind) && callFor(call, entry, opener),
      );
      entry?.extra.modelCalls.push(call);
      return entry?.id;
    },
    retrieval(retrieval) {
      const question = retrieval.question.trim();
      const entry = recent().find(
        (entry) => !entry.extras?.retrievals?.length && questionOf(entry, opener) === question,
      );
      if (entry) entry.extra.retrievals = [retrieval];
      return entry?.id;
    },
    pushed(record) {
      // A pushed answer names its message (the job key); the user's newest message still waiting for one otherwise.
      const named = record.key === undefined ? undefined : messages.get(record.key);
      for (const entry of named ? [named] : newestFirst()) {
        if (entry.openid !== record.openid || entry.extras?.late) continue;
        const waiting = (a: StoredAttempt) => a.delivery === 'outbox' || a.source === 'push-pending';
        if (!entry.attempts().some(waiting)) continue;
        entry.extra.late = {
          how: record.delivery === 'push' ? 'push' : 'push-failed',
          at: record.time,
          latencyMs: record.time - (entry.firstAt + (epoch ?? 0)),
          replyPreview: record.replyPreview,
        };
        return entry.id;
      }
      return undefined;
    },
    verdict(id, verdict) {
      const entry = messages.get(id);
      if (entry) entry.extra.verdict = verdict;
      return entry?.id;
    },
    expect(id, origin) {
      expected.set(id, origin);
      if (expected.size > 100) expected.delete(expected.keys().next().value as string);
    },
    get(id) {
      const entry = messages.get(id);
      return entry ? view(entry) : undefined;
    },
    list: (openid) =>
      newestFirst()
        .filter((entry) => openid === undefined || entry.openid === openid)
        .map(view),
    users() {
      const seen = new Set<string>();
      for (const entry of newestFirst()) if (entry.openid) seen.add(entry.openid);
      return [...seen];
    },
    get size() {
      return messages.size;
    },
  };
}

/** The question a message put to the model: its text, or what its voice said (recognised, or transcribed). */
function questionOf(entry: StoredMessage, opener: Opener | undefined): string | undefined {
  if (entry.kind !== 'text' && entry.kind !== 'voice') return undefined;
  const message = entry.message(opener);
  if (message?.type === 'text') return message.content.trim();
  if (message?.type !== 'voice') return undefined;
  const heard = message.recognition ?? entry.extras?.modelCalls.find((made) => made.kind === 'transcribe')?.answer;
  return heard?.trim();
}

/**
 * Whether a model call was made for this message: the question it carries (text, voice recognition or its
 * transcription, the image), or the prompt of an image command; a transcription for a voice message. The kind kept
 * with the message rules most out before any XML is parsed again.
 */
function callFor(call: ModelCall, entry: StoredMessage, opener: Opener | undefined): boolean {
  if (call.kind === 'transcribe') return entry.kind === 'voice';
  const asked = call.messages?.filter((sent) => sent.role === 'user').at(-1)?.content;
  if (call.kind === 'image') {
    if (entry.kind !== 'text' || typeof asked !== 'string') return false;
    const message = entry.message(opener);
    return message?.type === 'text' && message.content.includes(asked);
  }
  if (typeof asked === 'string') return questionOf(entry, opener) === asked.trim();
  if (entry.kind !== 'image') return false;
  const message = entry.message(opener);
  return (
    message?.type === 'image' &&
    (asked ?? []).some((part) => part.type === 'image_url' && part.imageUrl === message.picUrl)
  );
}
