/** A message as the detail pane shows it: XML pretty-printed, and what WeChat's servers would object to. */
import type { SimulatedMode } from '../simulator/index.js';
import { judgeReply } from '../simulator/judge.js';
import { attemptsOf, summarize } from './history.js';
import { prettyXml } from './pretty-xml.js';
import type { ConsoleAttempt, ConsoleMessage, MessageSummary } from './types.js';

export interface JudgeKeys {
  token: string;
  encodingAesKey?: string;
  appId?: string;
}

export interface AttemptDetail extends Omit<ConsoleAttempt, 'inboundXml' | 'replyXml' | 'responseBody' | 'body'> {
  /** The request body (the encrypted envelope when encrypted), indented. */
  body: string;
  inboundXml?: string;
  replyXml?: string;
  responseBody?: string;
  /** What WeChat's servers would refuse in what this attempt wrote. */
  problems: string[];
}

export interface MessageDetail {
  summary: MessageSummary;
  attempts: AttemptDetail[];
  modelCalls: ConsoleMessage['modelCalls'];
  /** The knowledge base passages the question retrieved (with a knowledge base loaded). */
  retrievals: NonNullable<ConsoleMessage['retrievals']>;
  late?: ConsoleMessage['late'];
  verdict?: ConsoleMessage['verdict'];
}

function modeOf(attempt: ConsoleAttempt): SimulatedMode {
  if (!attempt.encrypted) return 'plain';
  return attempt.body.includes('<MsgType>') ? 'compat' : 'safe';
}

function problemsOf(entry: ConsoleMessage, attempt: ConsoleAttempt, keys: JudgeKeys): string[] {
  if (!entry.message || attempt.status === undefined || attempt.responseBody === undefined) return [];
  if (attempt.status >= 400) return [];
  return judgeReply({
    status: attempt.status,
    body: attempt.responseBody,
    message: entry.message,
    mode: modeOf(attempt),
    token: keys.token,
    ...(keys.encodingAesKey ? { encodingAesKey: keys.encodingAesKey } : {}),
    ...(keys.appId ? { appId: keys.appId } : {}),
    // The reply was written at attempt time: judge its CreateTime then, not now.
    now: () => attempt.receivedAt + attempt.latencyMs,
  }).problems;
}

export function detailOf(entry: ConsoleMessage, keys: JudgeKeys): MessageDetail {
  return {
    summary: summarize(entry),
    attempts: attemptsOf(entry).map((attempt) => ({
      ...attempt,
      body: prettyXml(attempt.body),
      ...(attempt.inboundXml === undefined ? {} : { inboundXml: prettyXml(attempt.inboundXml) }),
      ...(attempt.replyXml === undefined ? {} : { replyXml: prettyXml(attempt.replyXml) }),
      ...(attempt.responseBody === undefined ? {} : { responseBody: prettyXml(attempt.responseBody) }),
      problems: problemsOf(entry, attempt, keys),
    })),
    modelCalls: entry.modelCalls,
    retrievals: entry.retrievals ?? [],
    ...(entry.late ? { late: entry.late } : {}),
    ...(entry.verdict ? { verdict: entry.verdict } : {}),
  };
}
