/** The Store contract, as small contracts (jobs, outbox, sessions, counters) that every adapter implements. */
import type { Reply } from '../wechat/types.js';

/** A page of an answer that the user has not been shown yet, or the rest of one they have. */
export interface OutboxPage {
  /** The job key of the answer this page belongs to. */
  answerId: string;
  reply: Reply;
  /** A short quote of the question the answer is for, kept with waiting (unseen) answers. */
  question?: string;
}

/** The kind of work that produced an answer (logs, serve's lines, metrics). */
export type AnswerSource =
  | 'llm'
  | 'llm-error'
  | 'cache'
  | 'busy'
  | 'not-configured'
  | 'keyword'
  | 'command'
  | 'event'
  | 'handler'
  | 'media'
  | 'image'
  | 'continue'
  | 'waiting'
  | 'waiting+new'
  | 'rate-limit'
  /** Refused by moderation (the question) or replaced by it (the answer). */
  | 'moderation'
  /** Refused by the access lists or a daily quota. */
  | 'quota'
  | 'thinking'
  | 'shutdown'
  | 'error'
  | 'store-down'
  | 'pushed'
  | 'push-pending'
  | 'test';

/** Facts about an answer for logs and the serve output. */
export interface AnswerMeta {
  source: AnswerSource;
  /** The model that answered, and how long it took. */
  model?: string;
  llmMs?: number;
  /** The kind of model failure the user was told about. */
  llmError?: string;
  /** Pages of a paged text answer; pages left in the outbox after a continue-word page. */
  pages?: number;
  remaining?: number;
  /** Model calls in flight when the user was told the bot is busy. */
  inFlight?: number;
  /** What moderation did to the model's answer. */
  moderation?: 'mask' | 'block';
  /** Why access lists or quotas refused the question. */
  refused?: 'blocked' | 'not-allowed' | 'messages' | 'tokens';
  /** Knowledge base retrieval: its time (ms) and the passages given to the model. */
  kbMs?: number;
  kbPassages?: number;
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
  /** Outbox pages this answer carries: acknowledged (removed for good) once a reply with it is written. */
  claims?: OutboxClaimRef[];
  meta: AnswerMeta;
}

export type JobStatus = 'pending' | 'deferred' | 'done';

/** How a done job's answer reached the user: on an attempt (the first needs no mark), the outbox, or a push. */
export type DeliveredBy = `attempt ${number}` | 'outbox' | 'push';

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
  /** How the result reached the user, once known. */
  deliveredBy?: DeliveredBy;
  /** Epoch ms until which the instance working on the job holds it (renewed while it works). */
  leaseUntil?: number;
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
  /** The job was already done (a duplicate completion), or unknown with no openid to recreate it: nothing changed. */
  | 'ignored';

/** What sendToOutbox did. */
export type OutboxHandover =
  /** Not done yet: its answer will go to the outbox when it completes (the user has a pending mark). */
  | 'deferred'
  /** Done, and never delivered: its answer went to the outbox now. */
  | 'outboxed'
  /** Done and already delivered (on an attempt, the outbox or a push): nothing changed. */
  | 'delivered';

export interface CompleteOptions {
  /** How long the done job is kept. */
  ttlMs: number;
  /** The user: lets a job whose record was lost (a flushed or restarted store) be recreated with its answer. */
  openid?: string;
  /** This process gave up answering on an attempt: the answer goes to the outbox whatever the record says. */
  deferred?: boolean;
}

export interface LeaseOptions {
  openid: string;
  leaseMs: number;
  /** The record's life if it must be recreated (it was lost while the job ran). */
  ttlMs: number;
}

export interface OutboxItem extends OutboxPage {
  /** True when this page is the first the user gets of its answer (the answer was waiting, unseen). */
  unseen: boolean;
  /** Pages left in the outbox after this one. */
  remaining: number;
}

/** A page taken from the outbox for a reply: it comes back unless acknowledged before the lease ends. */
export interface OutboxClaim extends OutboxItem {
  claimId: string;
}

export interface OutboxClaimRef {
  openid: string;
  claimId: string;
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

/**
 * Jobs: one per message (deduped on its key), shared by its attempts and by every instance. A job is pending (being
 * answered on its attempts), deferred (its answer goes to the outbox) or done (the result is stored).
 */
export interface JobStore {
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
   * the rest). Deferred (or `deferred` in the options) → done, and every page (reply + morePages) is appended to the
   * user's outbox as one unseen answer, the user's pending mark of the job removed. The job then lives ttlMs more. An
   * unknown job is recreated when `openid` is given (the store lost it), else 'ignored'. Wakes waiters everywhere.
   */
  completeJob(key: string, result: JobResult, options: CompleteOptions): Promise<CompleteOutcome>;
  /**
   * Gives up answering a job on its own attempts: pending → deferred, so completeJob sends the answer to the outbox.
   * Returns the record after the call: if it is already done, the caller answers with its result instead.
   */
  deferJob(key: string): Promise<JobRecord | undefined>;
  /**
   * The user was told the answer comes through the outbox (the thinking notice went out, or a reply was lost): a job
   * not done yet is deferred (created deferred if the store lost it) and the user gets a pending mark for it; a done
   * job nobody delivered goes to the outbox now. Idempotent: an answer reaches the outbox once.
   */
  sendToOutbox(key: string, openid: string, ttlMs: number): Promise<OutboxHandover>;
  /**
   * The instance working on a job says it is still alive: the job is its own for leaseMs more (unless done). A job the
   * store lost is recreated (pending), so that retries reaching other instances wait for this one instead of calling
   * the model again.
   */
  renewLease(key: string, options: LeaseOptions): Promise<void>;
  /**
   * Takes over a job not done whose instance stopped renewing its lease (it crashed or shut down): true when this
   * caller now holds it for leaseMs and should do the work; the job is pending again (the caller's attempt answers it).
   * A job never renewed counts as leased until createdAt + leaseMs. Atomic: of concurrent callers at most one gets true.
   */
  takeOver(key: string, leaseMs: number): Promise<boolean>;
  /** Notes how a done job reached the user. */
  markDelivered(key: string, by: DeliveredBy): Promise<void>;
  /**
   * Resolves with the record as soon as the job is done (at once if it already is), or undefined after timeoutMs
   * or when the signal aborts. Never polls.
   */
  waitForJob(key: string, timeoutMs: number, signal?: AbortSignal): Promise<JobRecord | undefined>;
}

/**
 * The outbox: a FIFO of answers per user, each a list of pages and a seen flag, kept for the store's outboxTtlMs
 * (default 48 h) after its last new answer. Pages leave it in two steps: a claim (the page is out, under a lease) and
 * an acknowledgement once the reply carrying it was written; a claim not acknowledged in time puts the page back in
 * front. Pending marks remember, per user, the jobs whose answers will arrive in the outbox.
 */
export interface OutboxStore {
  /** Claims the first page of the first answer (marking that answer seen; an emptied answer is removed). */
  claimOutbox(openid: string, leaseMs: number): Promise<OutboxClaim | undefined>;
  /**
   * Claims the first page of the oldest unseen answer (marking it seen). The pages left of seen answers before it are
   * dropped, so that the continue word brings this answer's next page; answers after it stay in place. With
   * `dropSeen`, the pages left of every seen answer are dropped first, in the same step (a new question: what
   * dropSeenAnswers does, one call and one round trip fewer).
   */
  claimUnseenAnswer(
    openid: string,
    leaseMs: number,
    options?: { dropSeen?: boolean },
  ): Promise<OutboxClaim | undefined>;
  /** The reply carrying a claimed page was written: the page is gone for good. */
  ackOutbox(openid: string, claimId: string): Promise<void>;
  /** Drops the pages left of answers the user has already seen (called when the user moves on to a new question). */
  dropSeenAnswers(openid: string): Promise<void>;
  summarizeOutbox(openid: string): Promise<OutboxSummary>;
  /** Empties the user's outbox, claims and pending marks. */
  clearOutbox(openid: string): Promise<void>;
  /** Job keys whose answers the user waits for through the outbox (see sendToOutbox), oldest first. */
  pendingAnswers(openid: string): Promise<string[]>;
  removePending(openid: string, key: string): Promise<void>;
}

export interface AppendTurnsOptions {
  /** The idle expiry, as setSession's. */
  ttlMs: number;
  /** What of the conversation to keep, the new turns included (default: all of it). */
  keep?: (turns: readonly ChatTurn[]) => ChatTurn[];
}

export interface SessionStore {
  getSession(openid: string): Promise<Session | undefined>;
  /** Stores a session; it expires after ttlMs without a new write (idle expiry). */
  setSession(openid: string, session: Session, ttlMs: number): Promise<void>;
  /**
   * Adds turns to the end of the user's conversation (a new one when there is none), keeps what `keep` returns of
   * the whole (the newest turns, within a budget: it must not change the turns it is given), and starts the idle time
   * again; updatedAt becomes the last new turn's time. The memory store does it in one step, reading nothing twice and
   * copying only the new turns; the Redis store reads the session and writes it back.
   */
  appendTurns(openid: string, turns: ChatTurn[], options: AppendTurnsOptions): Promise<void>;
  deleteSession(openid: string): Promise<void>;
}

export interface CounterStore {
  /** Adds one to a counter that starts when first hit and resets after windowMs. Returns the new count. */
  hit(key: string, windowMs: number): Promise<number>;
  /** Plain values with a TTL (access_token and similar). */
  getValue(key: string): Promise<string | undefined>;
  setValue(key: string, value: string, ttlMs: number): Promise<void>;
  deleteValue(key: string): Promise<void>;
  /** A lease for one-at-a-time work across instances. Returns a release function, or undefined if held elsewhere. */
  tryLock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
  /**
   * Adds amount to a member's total in a tally (daily quotas: one tally per day, a member per user) and returns the
   * new total; amount 0 only reads (an unknown member is 0 and is not added). The tally expires ttlMs after it was
   * created; later additions do not extend it.
   */
  addToTally(key: string, member: string, amount: number, ttlMs: number): Promise<number>;
  /** The tally's highest totals, highest first (ties in any order), at most limit of them. */
  topOfTally(key: string, limit: number): Promise<TallyEntry[]>;
}

export interface TallyEntry {
  member: string;
  total: number;
}

/**
 * The Store: all state the bot shares between attempts, messages and instances. The memory store is the default; the
 * Redis store makes several instances behave as one bot. Both pass test/store/store.contract.ts. Every operation that
 * decides something (claim, complete, defer, outbox) is atomic.
 */
export interface Store extends JobStore, OutboxStore, SessionStore, CounterStore {
  /** A name for logs and /healthz: 'memory' | 'redis'. */
  readonly kind: string;
  /**
   * Each call does its work before it returns (the promise is only the contract's shape): the memory store. /metrics
   * then times a call as it runs, with no handler on its promise.
   */
  readonly inProcess?: boolean;
  /** Throws a StoreError when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
