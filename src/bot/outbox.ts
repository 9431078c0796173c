/**
 * Answers that wait for the user: the continue word (the next page, or an answer still being prepared), a waiting
 * answer delivered with the user's new question, and late answers started for that new question. Pages are claimed
 * from the store and acknowledged only once the reply carrying them is written (JobResult.claims), so a crash or a
 * lost reply puts them back.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { shallowCopy } from '../shallow-copy.js';
import type { JobResult, OutboxClaim, Store } from '../store/types.js';
import type { Reply } from '../wechat/types.js';
import type { Clock } from './clock.js';
import type { LateDelivery } from './delivery.js';
import type { Jobs } from './jobs.js';
import { utf8Bytes } from './paging.js';
import type { TextResult } from './text-result.js';
import { fillTemplate } from './texts.js';

export interface OutboxDependencies {
  config: ResolvedConfig;
  store: Store;
  jobs: Jobs;
  delivery: LateDelivery;
  logger: Logger;
  clock: Clock;
  textResult: TextResult;
}

export function createOutbox({ config, store, jobs, delivery, clock, textResult }: OutboxDependencies) {
  const { texts, limits, timing } = config;
  /** A claimed page comes back if no reply carrying it is written while WeChat may still be retrying. */
  const claimLeaseMs = timing.attempts * timing.wechatTimeoutMs + 5000;

  function pageResult(claim: OutboxClaim, openid: string): JobResult {
    return {
      reply: claim.reply,
      claims: [{ openid, claimId: claim.claimId }],
      meta: { source: 'continue', remaining: claim.remaining },
    };
  }

  /**
   * Waits until the job is done, or nobody works on it any more (its instance stopped renewing the lease). True when
   * its answer may now be in the outbox; false when it was lost with its instance.
   */
  async function waitForAnswer(key: string): Promise<boolean> {
    const local = jobs.get(key);
    if (local) {
      await local.settled;
      return true;
    }
    for (;;) {
      const job = await store.getJob(key);
      if (!job) return false;
      if (job.status === 'done') {
        await store.sendToOutbox(key, job.openid, timing.jobTtlMs);
        return true;
      }
      const leasedFor = (job.leaseUntil ?? job.createdAt + jobs.leaseMs) - clock.now();
      if (leasedFor <= 0) return false;
      await store.waitForJob(key, leasedFor + 50);
    }
  }

  /** The continue word: the next page waiting, or the answer still being prepared, or why there is none. */
  async function continueAnswer(openid: string): Promise<JobResult> {
    const next = await store.claimOutbox(openid, claimLeaseMs);
    if (next) return pageResult(next, openid);
    let lost = false;
    for (const key of await store.pendingAnswers(openid)) {
      const arrived = await waitForAnswer(key);
      if (!arrived) {
        lost = true;
        await store.removePending(openid, key);
        continue;
      }
      const ready = await store.claimOutbox(openid, claimLeaseMs);
      if (ready) return pageResult(ready, openid);
      await store.removePending(openid, key);
    }
    return textResult(lost ? texts.answerLost : texts.nothingPending, 'continue');
  }

  /**
   * A job with no attempt of its own (a new question asked while another answer waited): pushed when ready in active
   * delivery, otherwise kept in the outbox. Returns which, so the reply can say so.
   */
  function startLateAnswer(key: string, openid: string, produce: () => Promise<JobResult>): 'push' | 'outbox' {
    const pushing = delivery.mode() === 'active';
    const job = jobs.start(key, openid, clock.now(), produce, 'outbox');
    if (pushing) jobs.pushWhenReady(job);
    else jobs.sendToOutbox(key, openid);
    return pushing ? 'push' : 'outbox';
  }

  /**
   * A new question: the pages left of answers already seen are stale now and dropped, and the oldest answer the user
   * has not seen is claimed for this reply (undefined when there is none). One store call.
   */
  const claimWaiting = (openid: string) => store.claimUnseenAnswer(openid, claimLeaseMs, { dropSeen: true });

  /**
   * The user asked something new while an earlier answer waits unseen in the outbox: the reply delivers the waiting
   * answer, and the new question is not swallowed. If its answer is ready within the budget and both fit in one page
   * they go together; otherwise the new answer follows into the outbox (the continue word fetches it) or is pushed.
   */
  async function deliverWaitingWithNew(
    waiting: OutboxClaim,
    key: string,
    openid: string,
    fresh: Promise<JobResult>,
    receivedAt: number,
  ): Promise<JobResult> {
    const claims = [{ openid, claimId: waiting.claimId }];
    const prefix = waiting.question ? fillTemplate(texts.waitingAnswer, { question: waiting.question }) : '';
    const waitingText = waiting.reply.type === 'text' ? `${prefix}${waiting.reply.content}` : undefined;
    const budget = Math.max(0, timing.replyBudgetMs - (clock.now() - receivedAt) - 250);
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const ready = await Promise.race([
      fresh.catch(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = clock.setTimeout(() => resolve(undefined), budget);
      }),
    ]);
    if (timer !== undefined) clock.clearTimeout(timer);
    if (ready && waitingText && ready.reply.type === 'text' && !ready.morePages) {
      const combined = `${waitingText}\n\n———\n${ready.reply.content}`;
      if (utf8Bytes(combined) <= limits.maxReplyBytes && waiting.remaining === 0) {
        return shallowCopy(textResult(combined, 'waiting+new', ready.meta), { claims });
      }
    }
    const waitingOnly = (reply: Reply): JobResult => ({ reply, claims, meta: { source: 'waiting' } });
    // The new answer goes to the outbox as an unseen answer of its own (or is pushed).
    const late = startLateAnswer(`${key}:late`, openid, () => fresh);
    if (!waitingText) return waitingOnly(waiting.reply);
    // One page only: pages of the waiting answer still queued must stay its next pages (no morePages here).
    const fits = (content: string) => utf8Bytes(content) <= limits.maxReplyBytes;
    const withNotice = `${waitingText}${late === 'push' ? texts.newQuestionPushed : texts.newQuestionPending}`;
    if (!fits(withNotice) && !fits(waitingText)) return waitingOnly(waiting.reply);
    const content = fits(withNotice) ? withNotice : waitingText;
    return { reply: { type: 'text', content }, claims, meta: { source: 'waiting', remaining: waiting.remaining } };
  }

  return { continueAnswer, claimWaiting, deliverWaitingWithNew };
}

export type Outbox = ReturnType<typeof createOutbox>;
