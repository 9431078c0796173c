/** One line per answered message for `serve`: time, user, type, preview, reply, latency and how it was delivered. */
import type { MessageRecord } from '../../bot/types.js';
import { colourLatency, formatSeconds } from '../latency.js';
import { displayWidth, fitWidth, padEnd } from '../text-width.js';
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

/** Which optional columns a line keeps: on a narrow terminal the notes go first, then the user. */
interface Layout {
  openid: boolean;
  notes: boolean;
}
const LAYOUTS: readonly Layout[] = [
  { openid: true, notes: true },
  { openid: true, notes: false },
  { openid: false, notes: false },
];
/** The widest previews (a wide terminal), and the narrowest worth showing. */
const QUESTION_MAX = 24;
const ANSWER_MAX = 34;
const QUESTION_MIN = 6;
const ANSWER_MIN = 8;
/** The type column on a narrow terminal: text, image, voice… fit; event names stick out a little. */
const NARROW_TYPE = 10;

/**
 * One line per message. With `width` (the terminal's columns), the line never wraps: the previews share the columns
 * left by the fixed ones (cut with …, by display width: CJK counts two), then the notes and the user column are left
 * out, and as a last resort the line is cut.
 */
export function formatMessageLine(
  record: MessageRecord,
  theme: Theme,
  { wechatTimeoutMs = 5000, width }: { wechatTimeoutMs?: number; width?: number | undefined } = {},
): string {
  const waited = userWaitedMs(record, wechatTimeoutMs);
  const type = record.messageType.replace(/^event:/, 'event ');
  const answer: { text: string; dim: boolean } =
    record.delivery === 'dropped'
      ? { text: 'nothing: WeChat hung up first', dim: true }
      : record.source === 'push-pending'
        ? { text: 'success now, the answer follows by push', dim: true }
        : record.replyType === 'success'
          ? { text: 'success (nothing shown)', dim: true }
          : { text: `${record.replyType}${record.replyPreview ? ` ${record.replyPreview}` : ''}`, dim: false };
  const extra = [
    record.pushedPages !== undefined
      ? `pushed ${record.pushedPages} message${record.pushedPages === 1 ? '' : 's'}`
      : record.source && record.source !== 'llm' && record.source !== 'push-pending'
        ? record.source
        : undefined,
    record.error ? theme.error(record.error) : undefined,
  ].filter(Boolean);

  const build = (questionWidth: number, answerWidth: number, layout: Layout, typeWidth = 16, gap = '  '): string => {
    // Width 0: measuring the fixed columns.
    const question =
      questionWidth === 0 ? '' : record.preview ? fitWidth(record.preview, questionWidth) : theme.dim('—');
    // Our own notices are whole on a wide terminal (they may overflow their column a little).
    const shown =
      answerWidth === 0
        ? ''
        : answer.dim && answerWidth >= ANSWER_MAX
          ? answer.text
          : fitWidth(answer.text, answerWidth);
    return [
      theme.dim(clock(record.time)),
      ...(layout.openid ? [theme.accent(padEnd(shortOpenid(record.openid), 11))] : []),
      padEnd(type, typeWidth),
      padEnd(question, questionWidth),
      theme.dim('→'),
      padEnd(answer.dim ? theme.dim(shown) : shown, answerWidth),
      // Coloured by what the user waited, not by this attempt's share of it.
      colourLatency(waited, theme, formatSeconds(record.latencyMs).padStart(7)),
      waited === record.latencyMs || !layout.notes
        ? describeDelivery(record)
        : `${describeDelivery(record)} ${theme.dim(`(user waited ${formatSeconds(waited)})`)}`,
      layout.notes && extra.length ? theme.dim(`(${extra.join(', ')})`) : '',
    ]
      .join(gap)
      .trimEnd();
  };

  const full = build(QUESTION_MAX, ANSWER_MAX, { openid: true, notes: true });
  if (width === undefined || displayWidth(full) <= width) return full;
  for (const layout of LAYOUTS) {
    const left = width - displayWidth(build(0, 0, layout, NARROW_TYPE, ' '));
    const questionWidth = Math.min(QUESTION_MAX, Math.floor((left * 2) / 5));
    const answerWidth = Math.min(ANSWER_MAX, left - questionWidth);
    if (questionWidth >= QUESTION_MIN && answerWidth >= ANSWER_MIN) {
      return build(questionWidth, answerWidth, layout, NARROW_TYPE, ' ');
    }
  }
  // A very narrow terminal: one cut line (without colours) rather than a wrapped one.
  return fitWidth(build(QUESTION_MIN, ANSWER_MIN, LAYOUTS[LAYOUTS.length - 1] as Layout, NARROW_TYPE, ' '), width);
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
