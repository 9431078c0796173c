/**
 * The Store contract: all state the bot shares between attempts, messages and instances. The memory store is the
 * default; the Redis store makes several instances behave as one bot. Both pass test/store/store.contract.ts.
 * Every operation that decides something (claim, complete, defer, outbox) is atomic.
 */
import type { Reply } from '../wechat/types.js';

/** A page of an answer that the user has not been shown yet, or the rest of one they have. */
export interface OutboxPage {
  /** The job key of the answer this page belongs to. */
  answerId: string;
  reply: Reply;
  /** A short quote of the question the answer is for, kept with waiting (unseen) answers. */
  question?: string;
}

/** What a finished job produced. `reply` is what the message's own attempts answer with. */
export interface JobResult {
  reply: Reply;
  /** Pages after the first (long answers): queued in the user's outbox for the continue word. */
  morePages?: Reply[];
  /** A short quote of the question, shown when the answer is delivered later from the outbox. */
  question?: string;
  /** A paged text answer's whole text, so that pushing it sends pages without the continue-word hints. */
  pushText?: string;
  /** Free-form facts for logs: reply kind, model, error kind… */
  meta?: Record<string, string | number | boolean>;
}

export type JobStatus = 'pending' | 'deferred' | 'done';

export interface JobRecord {
  key: string;
  /** The user (openid) the job answers. */
  openid: string;
  status: JobStatus;
  /** How many attempts (WeChat deliveries of this message) have arrived so far. */
  attempts: number;
  /** Epoch ms when the job was claimed. */
  createdAt: number;
  /** Set once status is 'done'. */
  result?: JobResult;
  /** How the result reached the user, once known: an attempt number, 'outbox' or 'push'. */
  deliveredBy?: string;
}

export interface AttemptClaim {
  /** 1 for the first delivery of this message; the job was created by this call. */
  attempt: number;
  job: JobRecord;
}

/** What completeJob did with the result. */
export type CompleteOutcome =
  /** The job was pending: attempts (current or next) answer with result.reply; morePages went to the outbox. */
  | 'stored'
  /** The job had been deferred: every page went to the user's outbox as an unseen answer. */
  | 'outboxed'
  /** The job was already done (a duplicate completion) or is unknown (expired): nothing changed. */
  | 'ignored';

export interface OutboxItem extends OutboxPage {
  /** True when this page is the first the user gets of its answer (the answer was waiting, unseen). */
  unseen: boolean;
  /** Pages left in the outbox after this one. */
  remaining: number;
}

export interface OutboxSummary {
  /** Answers the user has not seen at all. */
  unseenAnswers: number;
  /** All pages queued. */
  pages: number;
}

export type ChatRole = 'user' | 'assistant';
export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; imageUrl: string };
export interface ChatTurn {
  role: ChatRole;
  content: string | ChatContentPart[];
  /** Epoch ms. */
  at: number;
}

export interface Session {
  turns: ChatTurn[];
  /** Epoch ms of the last change. */
  updatedAt: number;
}

export interface Store {
  /** A name for logs and /healthz: 'memory' | 'redis'. */
  readonly kind: string;

  /**
   * Records one delivery attempt of a message. The first call for a key creates a pending job owned by `openid`
   * (attempt 1); later calls only count attempts. Atomic: of two concurrent first attempts exactly one gets attempt 1.
   */
  claimAttempt(key: string, openid: string, ttlMs: number): Promise<AttemptClaim>;
  getJob(key: string): Promise<JobRecord | undefined>;
  /**
   * Finishes a job. Pending → done with the result stored; if result.morePages is not empty, they replace the pages
   * left of answers the user has already seen (the user reads this answer now), appended as one seen answer (its first
   * page went out through an attempt); without morePages the outbox is untouched (a continue-word page must not drop
   * the rest). Deferred → done, and every page (reply + morePages) is appended to the user's outbox as one unseen
   * answer. The job then lives ttlMs more. An unknown (expired) job is 'ignored': there is no user to give it to.
   * Wakes waiters, on every instance.
   */
  completeJob(key: string, result: JobResult, ttlMs: number): Promise<CompleteOutcome>;
  /**
   * Gives up answering a job on its own attempts: pending → deferred, so completeJob sends the answer to the outbox.
   * Returns the record after the call: if it is already done, the caller answers with its result instead.
   */
  deferJob(key: string): Promise<JobRecord | undefined>;
  /** Notes how a done job reached the user (for logs and benchmarks). */
  markDelivered(key: string, by: string): Promise<void>;
  /**
   * Resolves with the record as soon as the job is done (at once if it already is), or undefined after timeoutMs
   * or when the signal aborts. Never polls.
   */
  waitForJob(key: string, timeoutMs: number, signal?: AbortSignal): Promise<JobRecord | undefined>;

  /**
   * The outbox is a FIFO of answers per user, each a list of pages and a seen flag. It is kept for the store's
   * outboxTtlMs (default 48 h) after its last new answer.
   * shiftOutbox takes the first page of the first answer (marking that answer seen; an emptied answer is removed).
   */
  shiftOutbox(openid: string): Promise<OutboxItem | undefined>;
  /**
   * Takes the first page of the oldest unseen answer (marking it seen). The pages left of seen answers before it are
   * dropped, so that the continue word brings this answer's next page; answers after it stay in place.
   */
  shiftUnseenAnswer(openid: string): Promise<OutboxItem | undefined>;
  /** Drops the pages left of answers the user has already seen (called when the user moves on to a new question). */
  dropSeenAnswers(openid: string): Promise<void>;
  summarizeOutbox(openid: string): Promise<OutboxSummary>;
  clearOutbox(openid: string): Promise<void>;

  getSession(openid: string): Promise<Session | undefined>;
  /** Stores a session; it expires after ttlMs without a new write (idle expiry). */
  setSession(openid: string, session: Session, ttlMs: number): Promise<void>;
  deleteSession(openid: string): Promise<void>;

  /** Adds one to a counter that starts when first hit and resets after windowMs. Returns the new count. */
  hit(key: string, windowMs: number): Promise<number>;

  /** Plain values with a TTL (access_token and similar). */
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string, ttlMs: number): Promise<void>;
  deleteValue(key: string): Promise<void>;
  /** A lease for one-at-a-time work across instances. Returns a release function, or undefined if held elsewhere. */
  tryLock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;

  /** Throws a StoreError when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
