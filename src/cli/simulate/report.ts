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

export interface SimulateReport {
  /** True when WeChat would show the reply (or nothing, for `success`). */
  ok: boolean;
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
  { url, mode, timeoutMs }: { url: string; mode: SimulatedMode; timeoutMs: number },
): SimulateReport {
  return {
    ok: result.ok,
    url,
    mode,
    message: result.message,
    userSees: result.userSees,
    reply: result.reply ?? null,
    attempts: result.attempts.map(({ body: _body, ...attempt }) => attempt),
    latencyMs: result.latencyMs,
    problems: result.problems,
    timeoutMs,
  };
}

function bubble(lines: string, paint: (text: string) => string, theme: Theme): string[] {
  return lines.split('\n').map((line) => `  ${theme.dim('│')} ${paint(line)}`);
}

function describeAttempt(attempt: SimulateReport['attempts'][number], report: SimulateReport, theme: Theme): string {
  const last = attempt.n === report.attempts.length;
  const latency = colourLatency(attempt.latencyMs, theme, formatSeconds(attempt.latencyMs).padStart(7));
  const head = `  ${theme.dim(`attempt ${attempt.n}`)} ${latency}  `;
  switch (attempt.outcome) {
    case 'timeout':
      return `${head}${theme.warn(`no answer within ${report.timeoutMs} ms`)}: WeChat drops the connection${last ? ' and gives up' : ' and tries again'}`;
    case 'error':
      return `${head}${theme.error(`could not connect (${attempt.error ?? 'error'})`)}`;
    case 'empty':
      return `${head}HTTP ${attempt.status} ${theme.dim('"success" (nothing to show, no retry)')}`;
    case 'reply': {
      const status = attempt.status === 200 ? 'HTTP 200' : theme.error(`HTTP ${attempt.status}`);
      const kind = report.reply && last ? ` ${theme.dim(`${report.reply.type} reply`)}` : '';
      return `${head}${status}${kind}`;
    }
  }
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
  if (!compact) {
    const msgId = 'msgId' in message && message.msgId ? ` · MsgId ${message.msgId}` : '';
    lines.push(
      `  ${theme.accent(`user ${shortOpenid(message.fromUser)}`)} ${theme.dim(`→ ${report.url} · ${MODE_NAMES[report.mode]}${msgId}`)}`,
      ...bubble(describeMessage(message), (text) => text, theme),
      '',
    );
  }
  if (!compact || report.attempts.length > 1 || !report.ok) {
    lines.push(...report.attempts.map((attempt) => describeAttempt(attempt, report, theme)), '');
  }
  lines.push(`  ${theme.accent(`公众号 ${message.toUser}`)} ${theme.dim('→ user')}`);
  if (!report.ok) lines.push(...bubble(report.userSees, theme.error, theme));
  else if (report.userSees === '') lines.push(...bubble('(nothing: the webhook answered "success")', theme.dim, theme));
  else lines.push(...bubble(report.userSees, (text) => text, theme));

  const tries = `${report.attempts.length} attempt${report.attempts.length === 1 ? '' : 's'}`;
  const took = `${formatSeconds(report.latencyMs)}, ${tries}`;
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
