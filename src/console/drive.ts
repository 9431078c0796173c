/**
 * Chat and replay: the console sends messages to its own webhook through the simulator, exactly as `simulate`
 * does (signed, encrypted in 安全模式, dropped at WeChat's timeout and retried), and keeps WeChat's verdict.
 */
import { randomBytes } from 'node:crypto';
import { jobKey } from '../bot/job-key.js';
import { WechatGptError } from '../errors.js';
import {
  completeMessage,
  DEFAULT_ACCOUNT,
  deliver,
  newMsgId,
  type SimulatedMessage,
  type SimulatedMode,
} from '../simulator/index.js';
import type { InboundMessage } from '../wechat/types.js';
import type { History } from './history.js';

export interface DriveSettings {
  url: string;
  token: string;
  mode: SimulatedMode;
  encodingAesKey?: string;
  appId?: string;
  timeoutMs: number;
  attempts: number;
}

/** What the chat pane can send: text, an image URL, 关注, or a menu CLICK. */
export type ChatInput =
  | { kind: 'text'; openid: string; text: string }
  | { kind: 'image'; openid: string; url: string }
  | { kind: 'subscribe'; openid: string }
  | { kind: 'click'; openid: string; key: string };

export class ConsoleInputError extends WechatGptError<'CONSOLE_BAD_INPUT'> {
  constructor(message: string) {
    super('CONSOLE_BAD_INPUT', message, { hint: 'The console page sends these; reload it.' });
  }
}

/** A test user's openid: 28 characters, like a real one. */
export function newTestOpenid(): string {
  return `oConsole${randomBytes(15).toString('base64url').slice(0, 20)}`;
}

const OPENID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseChatInput(body: unknown): ChatInput {
  const input = (body ?? {}) as Record<string, unknown>;
  const text = (name: string, max: number) => {
    const value = input[name];
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
      throw new ConsoleInputError(`"${name}" must be a non-empty string of at most ${max} characters.`);
    }
    return value;
  };
  const openid = text('openid', 64);
  if (!OPENID.test(openid)) throw new ConsoleInputError('"openid" may hold letters, digits, - and _ only.');
  switch (input.kind) {
    case 'text':
      return { kind: 'text', openid, text: text('text', 4000) };
    case 'image': {
      const url = text('url', 2000);
      if (!/^https?:\/\//.test(url)) throw new ConsoleInputError('"url" must be an http(s) URL.');
      return { kind: 'image', openid, url };
    }
    case 'subscribe':
      return { kind: 'subscribe', openid };
    case 'click':
      return { kind: 'click', openid, key: text('key', 128) };
    default:
      throw new ConsoleInputError('"kind" must be text, image, subscribe or click.');
  }
}

function toMessage(input: ChatInput): SimulatedMessage {
  const addressing = { fromUser: input.openid, toUser: DEFAULT_ACCOUNT };
  switch (input.kind) {
    case 'text':
      return { type: 'text', content: input.text, ...addressing };
    case 'image':
      return { type: 'image', picUrl: input.url, mediaId: `console_${randomBytes(6).toString('hex')}`, ...addressing };
    case 'subscribe':
      return { type: 'event', event: 'subscribe', ...addressing };
    case 'click':
      return { type: 'event', event: 'CLICK', key: input.key, ...addressing };
  }
}

export function createDriver({ settings, history }: { settings: () => DriveSettings; history: History }) {
  async function send(message: InboundMessage, onDone: (id: string) => void): Promise<void> {
    const id = jobKey(message);
    const { url, token, mode, encodingAesKey, appId, timeoutMs, attempts } = settings();
    try {
      const result = await deliver({
        url,
        token,
        mode,
        message,
        timeoutMs,
        attempts,
        ...(encodingAesKey ? { encodingAesKey } : {}),
        ...(appId ? { appId } : {}),
      });
      history.verdict(id, { ok: result.ok, userSees: result.userSees, problems: result.problems });
    } catch (error) {
      history.verdict(id, { ok: false, userSees: '', problems: [(error as Error).message] });
    }
    onDone(id);
  }

  /** Completes the message now (MsgId, CreateTime) so its id is known before the first attempt arrives. */
  function start(
    message: InboundMessage,
    origin: Parameters<History['expect']>[1],
    onDone: (id: string) => void,
  ): string {
    const id = jobKey(message);
    history.expect(id, origin);
    void send(message, onDone);
    return id;
  }

  return {
    chat(input: ChatInput, onDone: (id: string) => void): string {
      return start(completeMessage(toMessage(input)), { kind: 'chat' }, onDone);
    },
    /** Sends a recorded message again: with a fresh MsgId (and CreateTime), or the same one to test dedupe. */
    replay(id: string, { sameMsgId }: { sameMsgId: boolean }, onDone: (id: string) => void): string {
      const original = history.get(id)?.message;
      if (!original) throw new ConsoleInputError(`No recorded message ${id} to replay.`);
      if (sameMsgId) return start(original, { kind: 'replay', of: id }, onDone);
      const seconds = Math.floor(Date.now() / 1000);
      const fresh = {
        ...original,
        createTime: seconds === original.createTime ? seconds + 1 : seconds,
        ...('msgId' in original && original.type !== 'event' ? { msgId: newMsgId() } : {}),
      } as InboundMessage;
      return start(fresh, { kind: 'replay', of: id }, onDone);
    },
  };
}
