/** One line per answered message for `serve`: time, user, type, preview, reply, latency and how it was delivered. */
import type { MessageRecord } from '../../bot/types.js';
import { colourLatency, formatSeconds } from '../latency.js';
import { fitWidth, padEnd } from '../text-width.js';
import type { Theme } from '../theme.js';

/** `oSimUser…0001`: enough to tell users apart, short enough for one line. */
export function shortOpenid(openid: string): string {
  return openid.length <= 12 ? openid : `${openid.slice(0, 6)}…${openid.slice(-4)}`;
}

/** passive, attempt 2, outbox, push…: the words the issue and the README use. */
export function describeDelivery(record: Pick<MessageRecord, 'delivery' | 'attempt'>): string {
  switch (record.delivery) {
    case 'retry':
      return `attempt ${record.attempt}`;
    case 'repeat':
      return `repeat (attempt ${record.attempt})`;
    default:
      return record.delivery;
  }
}

function clock(epochMs: number): string {
  const time = new Date(epochMs);
  return [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * How long the user waited for this answer: on WeChat's retry n, the n−1 attempts before it were dropped at
 * WeChat's timeout, so `attempt 2  2.02 s` means about 7 s for the user.
 */
export function userWaitedMs(
  record: Pick<MessageRecord, 'delivery' | 'attempt' | 'latencyMs'>,
  wechatTimeoutMs: number,
): number {
  return record.delivery === 'retry' ? (record.attempt - 1) * wechatTimeoutMs + record.latencyMs : record.latencyMs;
}

export function formatMessageLine(
  record: MessageRecord,
  theme: Theme,
  { wechatTimeoutMs = 5000 }: { wechatTimeoutMs?: number } = {},
): string {
  const waited = userWaitedMs(record, wechatTimeoutMs);
  const type = record.messageType.replace(/^event:/, 'event ');
  const question = record.preview ? fitWidth(record.preview, 24) : theme.dim('—');
  const answer =
    record.delivery === 'dropped'
      ? theme.dim('nothing: WeChat hung up first')
      : record.source === 'push-pending'
        ? theme.dim('success now, the answer follows by push')
        : record.replyType === 'success'
          ? theme.dim('success (nothing shown)')
          : `${record.replyType}${record.replyPreview ? ` ${fitWidth(record.replyPreview, 28)}` : ''}`;
  const extra = [
    record.pushedPages !== undefined
      ? `pushed ${record.pushedPages} message${record.pushedPages === 1 ? '' : 's'}`
      : record.source && record.source !== 'llm' && record.source !== 'push-pending'
        ? record.source
        : undefined,
    record.error ? theme.error(record.error) : undefined,
  ].filter(Boolean);
  return [
    theme.dim(clock(record.time)),
    theme.accent(padEnd(shortOpenid(record.openid), 11)),
    padEnd(type, 16),
    padEnd(question, 24),
    theme.dim('→'),
    padEnd(answer, 34),
    // Coloured by what the user waited, not by this attempt's share of it.
    colourLatency(waited, theme, formatSeconds(record.latencyMs).padStart(7)),
    waited === record.latencyMs
      ? describeDelivery(record)
      : `${describeDelivery(record)} ${theme.dim(`(user waited ${formatSeconds(waited)})`)}`,
    extra.length ? theme.dim(`(${extra.join(', ')})`) : '',
  ]
    .join('  ')
    .trimEnd();
}

/** The `--json` form: one object per line, the record's fields with an ISO time. */
export function messageEvent(record: MessageRecord): Record<string, unknown> {
  return {
    event: 'message',
    time: new Date(record.time).toISOString(),
    openid: record.openid,
    type: record.messageType,
    preview: record.preview,
    replyType: record.replyType,
    replyPreview: record.replyPreview,
    latencyMs: record.latencyMs,
    delivery: record.delivery,
    attempt: record.attempt,
    ...(record.source ? { source: record.source } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
}
