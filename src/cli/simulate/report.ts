/** simulate's result: collected from one delivery, printed as chat bubbles with each attempt, or as JSON. */
import type { DeliverResult, DeliveryAttempt } from '../../simulator/deliver.js';
import type { SimulatedMode } from '../../simulator/sign.js';
import type { ParsedReply } from '../../wechat/reply-parse.js';
import type { InboundMessage } from '../../wechat/types.js';
import { colourLatency, formatSeconds } from '../latency.js';
import { shortOpenid } from '../serve/message-line.js';
import type { Theme } from '../theme.js';
import { describeMessage } from './build-message.js';

export const MODE_NAMES: Record<SimulatedMode, string> = { plain: '明文模式', compat: '兼容模式', safe: '安全模式' };

/**
 * shown: WeChat shows the reply; nothing: "success", nothing shown; error-page: WeChat shows its error page;
 * not-retried: --no-retry stopped after a dropped attempt, where WeChat would have retried (nothing wrong in that).
 */
export type SimulateVerdict = 'shown' | 'nothing' | 'error-page' | 'not-retried';

export interface SimulateReport {
  /** True unless WeChat would show its error page. */
  ok: boolean;
  verdict: SimulateVerdict;
  url: string;
  mode: SimulatedMode;
  message: InboundMessage;
  /** What the user's chat shows: the text, `[image …]`, '' for nothing, or WeChat's error page. */
  userSees: string;
  reply: ParsedReply | null;
  attempts: Array<Omit<DeliveryAttempt, 'body'>>;
  /** From the first attempt to the final answer. */
  latencyMs: number;
  problems: string[];
  timeoutMs: number;
}

export function toReport(
  result: DeliverResult,
  {
    url,
    mode,
    timeoutMs,
    retried = true,
  }: { url: string; mode: SimulatedMode; timeoutMs: number /** False with --no-retry. */; retried?: boolean },
): SimulateReport {
  const notRetried = !retried && result.attempts.at(-1)?.outcome === 'timeout';
  const verdict: SimulateVerdict = notRetried
    ? 'not-retried'
    : !result.ok
      ? 'error-page'
      : result.userSees === ''
        ? 'nothing'
        : 'shown';
  return {
    ok: result.ok || notRetried,
    verdict,
    url,
    mode,
    message: result.message,
    userSees: notRetried ? '' : result.userSees,
    reply: result.reply ?? null,
    attempts: result.attempts.map(({ body: _body, ...attempt }) => attempt),
    latencyMs: result.latencyMs,
    problems: notRetried ? [] : result.problems,
    timeoutMs,
  };
}

function bubble(lines: string, paint: (text: string) => string, theme: Theme): string[] {
  return lines.split('\n').map((line) => `  ${theme.dim('│')} ${paint(line)}`);
}

/** How an attempt ended; `retries` tells whether WeChat tries again after a drop (false for the last). */
export function describeAttempt(
  attempt: SimulateReport['attempts'][number],
  { timeoutMs, retries, replyType, notRetried = false }: AttemptContext,
  theme: Theme,
): string {
  const latency = colourLatency(attempt.latencyMs, theme, formatSeconds(attempt.latencyMs).padStart(7));
  const head = `  ${theme.dim(`attempt ${attempt.n}`)} ${latency}  `;
  switch (attempt.outcome) {
    case 'timeout': {
      const next = notRetried
        ? 'WeChat would retry now; --no-retry stops here'
        : retries
          ? 'WeChat retries'
          : 'WeChat gives up';
      return `${head}${theme.warn('dropped')}: no answer within ${timeoutMs} ms — ${next}`;
    }
    case 'error':
      return `${head}${theme.error(`could not connect (${attempt.error ?? 'error'})`)}`;
    case 'empty':
      return `${head}HTTP ${attempt.status} ${theme.dim('"success" (nothing to show, no retry)')}`;
    case 'reply': {
      const status = attempt.status === 200 ? 'HTTP 200' : theme.error(`HTTP ${attempt.status}`);
      return `${head}${status}${replyType ? ` ${theme.dim(`${replyType} reply`)}` : ''}`;
    }
  }
}

export interface AttemptContext {
  timeoutMs: number;
  retries: boolean;
  replyType?: string;
  notRetried?: boolean;
}

function attemptContext(attempt: SimulateReport['attempts'][number], report: SimulateReport): AttemptContext {
  const last = attempt.n === report.attempts.length;
  return {
    timeoutMs: report.timeoutMs,
    retries: !last,
    ...(last && report.reply ? { replyType: report.reply.type } : {}),
    notRetried: last && report.verdict === 'not-retried',
  };
}

/** The request: who sends what to where, in which mode. */
export function formatRequest(
  { message, url, mode }: Pick<SimulateReport, 'message' | 'url' | 'mode'>,
  theme: Theme,
): string {
  const msgId = 'msgId' in message && message.msgId ? ` · MsgId ${message.msgId}` : '';
  return [
    `  ${theme.accent(`user ${shortOpenid(message.fromUser)}`)} ${theme.dim(`→ ${url} · ${MODE_NAMES[mode]}${msgId}`)}`,
    ...bubble(describeMessage(message), (text) => text, theme),
    '',
  ].join('\n');
}

/** The request bubble, the attempts, the answer bubble and the verdict. */
export function formatReport(
  report: SimulateReport,
  theme: Theme,
  { compact = false, echo = false }: { compact?: boolean; echo?: boolean } = {},
): string {
  const { message } = report;
  const lines: string[] = [];
  if (compact && echo) lines.push(`${theme.accent('you ›')} ${describeMessage(message)}`);
  if (!compact) lines.push(formatRequest(report, theme));
  if (!compact || report.attempts.length > 1 || !report.ok || report.verdict === 'not-retried') {
    lines.push(...formatAttempts(report, theme), '');
  }
  lines.push(formatOutcome(report, theme, { compact }));
  return lines.join('\n');
}

export function formatAttempts(report: SimulateReport, theme: Theme): string[] {
  return report.attempts.map((attempt) => describeAttempt(attempt, attemptContext(attempt, report), theme));
}

/** The answer bubble and the verdict. */
export function formatOutcome(report: SimulateReport, theme: Theme, { compact = false } = {}): string {
  const { message } = report;
  const lines: string[] = [];
  const tries = `${report.attempts.length} attempt${report.attempts.length === 1 ? '' : 's'}`;
  const took = `${formatSeconds(report.latencyMs)}, ${tries}`;
  if (report.verdict === 'not-retried') {
    lines.push(
      `${theme.warn('…')} No answer on attempt 1 ${theme.dim(`(${took})`)}: WeChat would retry now, and so the user waits on.`,
      `  Not a failure: a bot may hold an attempt past ${report.timeoutMs} ms on purpose, to answer on attempt 2 or 3.`,
      '  Leave out --no-retry to see what the user gets.',
    );
    return lines.join('\n');
  }
  lines.push(`  ${theme.accent(`公众号 ${message.toUser}`)} ${theme.dim('→ user')}`);
  if (!report.ok) lines.push(...bubble(report.userSees, theme.error, theme));
  else if (report.userSees === '') lines.push(...bubble('(nothing: the webhook answered "success")', theme.dim, theme));
  else lines.push(...bubble(report.userSees, (text) => text, theme));

  if (report.ok) {
    lines.push(
      compact
        ? `  ${theme.dim(`(${took})`)}`
        : `\n${theme.success('✔')} WeChat ${report.userSees === '' ? 'shows nothing and stops retrying' : 'shows this reply'} ${theme.dim(`(${took})`)}`,
    );
  } else {
    lines.push(`\n${theme.error('✖')} WeChat shows its error page ${theme.dim(`(${took})`)}, because:`);
    lines.push(...report.problems.map((problem) => `  • ${problem}`));
  }
  return lines.join('\n');
}
