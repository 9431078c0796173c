/**
 * The outbox rules on a plain list of answers (the memory store's representation; the Redis store's Lua scripts
 * apply the same rules to a Redis list). A user's outbox is answers in arrival order, each a list of pages left and
 * whether the user has seen the answer's first page.
 */

import type { Reply } from '../wechat/types.js';
import type { JobResult, OutboxItem, OutboxSummary } from './types.js';

export interface QueuedAnswer {
  answerId: string;
  /** Kept only for unseen answers: shown when the answer is delivered later. */
  question?: string;
  seen: boolean;
  pages: Reply[];
}

/**
 * Answers kept per user: a user who asks faster than they read cannot grow their outbox without bound (the oldest
 * answers go first; each answer is at most a few pages).
 */
export const MAX_QUEUED_ANSWERS = 20;

/** The newest MAX_QUEUED_ANSWERS answers. */
export function capAnswers(answers: QueuedAnswer[]): QueuedAnswer[] {
  return answers.length > MAX_QUEUED_ANSWERS ? answers.slice(-MAX_QUEUED_ANSWERS) : answers;
}

/** A deferred job's answer: every page, unseen. */
export function unseenAnswer(answerId: string, result: JobResult): QueuedAnswer {
  return {
    answerId,
    ...(result.question !== undefined ? { question: result.question } : {}),
    seen: false,
    pages: [result.reply, ...(result.morePages ?? [])],
  };
}

/** The pages after the first of an answer that went out through an attempt: already seen. */
export function seenRest(answerId: string, morePages: Reply[]): QueuedAnswer {
  return { answerId, seen: true, pages: [...morePages] };
}

/** Drops the answers the user has seen (what is left of them); unseen answers stay whole, in order. */
export function dropSeen(answers: QueuedAnswer[]): QueuedAnswer[] {
  return answers.filter((answer) => !answer.seen);
}

/** Takes the first page of the first answer, marking it seen. Mutates the list. */
export function shiftPage(answers: QueuedAnswer[]): OutboxItem | undefined {
  const answer = answers[0];
  const reply = answer?.pages.shift();
  if (!answer || !reply) return undefined;
  const unseen = !answer.seen;
  answer.seen = true;
  if (answer.pages.length === 0) answers.shift();
  return {
    answerId: answer.answerId,
    reply,
    ...(unseen && answer.question !== undefined ? { question: answer.question } : {}),
    unseen,
    remaining: countPages(answers),
  };
}

/**
 * Takes the first page of the oldest unseen answer. What is left of seen answers before it goes: once the user
 * reads the waiting answer, the continue word must bring its next page, not a stale one. Mutates the list.
 */
export function shiftUnseen(answers: QueuedAnswer[]): OutboxItem | undefined {
  const index = answers.findIndex((answer) => !answer.seen);
  if (index < 0) return undefined;
  answers.splice(0, index);
  return shiftPage(answers);
}

/** A claimed page as an answer of its own, to put back in front when its claim runs out unacknowledged. */
export function claimedFragment(item: OutboxItem): QueuedAnswer {
  return {
    answerId: item.answerId,
    ...(item.question !== undefined ? { question: item.question } : {}),
    seen: !item.unseen,
    pages: [item.reply],
  };
}

/** Puts a page whose claim ran out back in front: it joins its answer when that answer is still first. Mutates. */
export function restoreFragment(answers: QueuedAnswer[], fragment: QueuedAnswer): void {
  const first = answers[0];
  if (first && first.answerId === fragment.answerId) {
    first.pages.unshift(...fragment.pages);
    first.seen = fragment.seen;
    if (fragment.question !== undefined) first.question = fragment.question;
    return;
  }
  answers.unshift(fragment);
}

export function summarize(answers: QueuedAnswer[] | undefined): OutboxSummary {
  if (!answers) return { unseenAnswers: 0, pages: 0 };
  return { unseenAnswers: answers.filter((answer) => !answer.seen).length, pages: countPages(answers) };
}

function countPages(answers: QueuedAnswer[]): number {
  let pages = 0;
  for (const answer of answers) pages += answer.pages.length;
  return pages;
}
