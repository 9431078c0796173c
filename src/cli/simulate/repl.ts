/**
 * `simulate --interactive`: a chat as one user. Each line is a message delivered the way WeChat does; a few slash
 * commands send other kinds of messages. Anything else starting with "/" goes to the bot as text (/画 …, /help).
 */
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { SimulatedMessage } from '../../simulator/message.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit.js';
import { buildMessage, type MessageSpec } from './build-message.js';
import type { SimulateReport } from './report.js';

export const REPL_HELP = [
  'Type a message and press Enter. Commands:',
  '  /image <url>          send a picture',
  '  /voice <text>         send a voice message WeChat recognised as <text>',
  '  /event <name> [key]   send an event: subscribe, unsubscribe, CLICK <key>, SCAN <scene>…',
  '  /location [place]     send a location: a city (/location 上海) or coordinates (/location 31.23,121.47 外滩)',
  "  /reset                send the bot's reset word (it forgets this conversation)",
  '  /new                  continue as a new user (a fresh openid)',
  '  /?                    this list      /quit (or Ctrl-D) to leave',
].join('\n');

export interface ReplOptions {
  /** Delivers one message the way WeChat does. */
  send: (message: SimulatedMessage) => Promise<SimulateReport>;
  /** Prints one result; `echo` when the input is not a terminal, so the transcript shows what was sent. */
  print: (report: SimulateReport, options: { echo: boolean }) => void;
  spec: Omit<MessageSpec, 'text' | 'type' | 'event' | 'key' | 'picUrl' | 'recognition'>;
  resetWord: string;
}

export interface ReplSummary {
  sent: number;
  failed: number;
}

export async function runRepl(ctx: CliContext, { send, print, spec, resetWord }: ReplOptions): Promise<ReplSummary> {
  const person = ctx.stdin.isTTY === true;
  const lines = createInterface({ input: ctx.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  const prompt = () => {
    if (person) ctx.stdout.write('you › ');
  };
  let user = spec.user;
  const summary: ReplSummary = { sent: 0, failed: 0 };
  ctx.logger.info(`Chatting as ${user} with ${spec.to}. /? for commands, /quit to leave.`);
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    let message: SimulatedMessage | undefined;
    try {
      const spoken = parseLine(line, { ...spec, user }, resetWord);
      message = spoken && buildMessage(spoken);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      ctx.logger.warn(`${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    }
    if (line === '/?') ctx.logger.info(REPL_HELP);
    if (line === '/new') {
      user = newOpenid();
      ctx.logger.info(`Now chatting as a new user, ${user}.`);
    }
    if (message) {
      const report = await send(message);
      summary.sent++;
      if (!report.ok) summary.failed++;
      print(report, { echo: !person });
    }
    prompt();
  }
  lines.close();
  if (person) ctx.stdout.write('\n');
  return summary;
}

/** One line → the message to send, or undefined for nothing (blank, /?, /new). */
export function parseLine(line: string, base: MessageSpec, resetWord: string): MessageSpec | undefined {
  if (line === '' || line === '/?' || line === '/new') return undefined;
  const [command = '', ...rest] = line.split(/\s+/);
  const argument = line.slice(command.length).trim();
  switch (command) {
    case '/image':
      return { ...base, type: 'image', ...(argument ? { picUrl: argument } : {}) };
    case '/voice':
      return { ...base, type: 'voice', ...(argument ? { recognition: argument } : {}) };
    case '/location':
      return { ...base, type: 'location', ...(argument ? { text: argument } : {}) };
    case '/event': {
      const [event, ...key] = rest;
      if (!event)
        throw new UsageError('/event needs a name.', { hint: 'e.g. /event subscribe, /event CLICK MENU_KEY.' });
      return { ...base, type: 'event', event, ...(key.length ? { key: key.join(' ') } : {}) };
    }
    case '/reset':
      return { ...base, type: 'text', text: resetWord };
    default:
      return { ...base, type: 'text', text: line };
  }
}

/** A fresh 28-character openid in the simulator's style. */
function newOpenid(): string {
  return `oSimUser${String(randomInt(0, 10 ** 10)).padStart(10, '0')}${String(randomInt(0, 10 ** 10)).padStart(10, '0')}`;
}
