/** A timeline row from a message as the console reads it: where its answer went, how long the user waited. */
import { previewReply } from '../bot/preview.js';
import type { ConsoleAttempt, ConsoleMessage, MessageSummary } from './types.js';

export const attemptsOf = (entry: ConsoleMessage): ConsoleAttempt[] => entry.attempts;

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
