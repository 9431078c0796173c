/**
 * Judges a webhook's answer the way WeChat would: what the user gets to see, and every rule the answer breaks
 * (each breach is a problem, in English, saying what to fix). Any problem means WeChat's error page.
 */
import {
  DecryptError,
  decrypt,
  extractEncrypted,
  type InboundMessage,
  type ParsedReply,
  ProtocolError,
  parseEncryptedReply,
  parseReplyXml,
  verifyMsgSignature,
} from '../wechat/index.js';
import type { SimulatedMode } from './sign.js';

/** What WeChat shows the user when the account's server fails it. */
export const ERROR_PAGE_TEXT = '该公众号暂时无法提供服务，请稍后再试';
/** Field practice for passive text replies: longer ones are not delivered. */
export const MAX_TEXT_BYTES = 2048;
/** How far a reply's CreateTime may stray from now before it is suspicious (clock or unit trouble). */
export const CREATE_TIME_WINDOW_SEC = 300;

export interface JudgeInput {
  status: number;
  body: string;
  message: InboundMessage;
  mode: SimulatedMode;
  token: string;
  encodingAesKey?: string;
  appId?: string;
  maxTextBytes?: number;
  now?: () => number;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  /** The reply, decrypted when it was encrypted; absent for success/empty or when it cannot be read. */
  reply?: ParsedReply;
  userSees: string;
}

/** What the user's chat shows for a reply. */
export function describeReply(reply: ParsedReply): string {
  switch (reply.type) {
    case 'text':
      return reply.content;
    case 'image':
    case 'voice':
    case 'video':
      return `[${reply.type} ${reply.mediaId}]`;
    case 'music':
      return `[music ${reply.title ?? reply.thumbMediaId}]`;
    case 'news':
      return `[news ${reply.articles.map((article) => article.title).join(' | ')}]`;
    case 'transfer_customer_service':
      return '';
  }
}

function secondsProblem(name: string, value: number, now: number): string | undefined {
  if (value > 1e11)
    return `${name} ${value} is in milliseconds; WeChat expects seconds (Math.floor(Date.now() / 1000)).`;
  if (Math.abs(value - now / 1000) > CREATE_TIME_WINDOW_SEC) {
    return `${name} ${value} is more than ${CREATE_TIME_WINDOW_SEC} s away from now; check the server clock.`;
  }
  return undefined;
}

/** Opens an encrypted reply: signature, decryption with the AppID. Returns the inner XML or records why not. */
function openEncrypted(body: string, input: JudgeInput, problems: string[], now: number): string | undefined {
  const envelope = parseEncryptedReply(body);
  if (!verifyMsgSignature({ token: input.token, ...envelope })) {
    problems.push('The encrypted reply has a wrong MsgSignature: sign sha1(sort[Token, TimeStamp, Nonce, Encrypt]).');
  }
  const timestamp = Number(envelope.timestamp);
  const timeProblem = /^\d+$/.test(envelope.timestamp)
    ? secondsProblem('TimeStamp', timestamp, now)
    : `TimeStamp "${envelope.timestamp}" is not a number of seconds.`;
  if (timeProblem) problems.push(timeProblem);
  if (!input.encodingAesKey || !input.appId) {
    problems.push('The reply is encrypted but the simulator has no EncodingAESKey/AppID to open it.');
    return undefined;
  }
  try {
    return decrypt({ aesKey: input.encodingAesKey, appId: input.appId, encrypted: envelope.encrypt });
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    problems.push(`The encrypted reply does not decrypt with this EncodingAESKey and AppID ${input.appId}.`);
    return undefined;
  }
}

function checkReply(reply: ParsedReply, input: JudgeInput, problems: string[], now: number): void {
  const { message } = input;
  if (reply.toUser !== message.fromUser || reply.fromUser !== message.toUser) {
    problems.push(
      `ToUserName/FromUserName must be swapped from the request: expected to=${message.fromUser} from=${message.toUser}, ` +
        `got to=${reply.toUser} from=${reply.fromUser}.`,
    );
  }
  const timeProblem = secondsProblem('CreateTime', reply.createTime, now);
  if (timeProblem) problems.push(timeProblem);
  if (reply.type === 'text') {
    const bytes = Buffer.byteLength(reply.content);
    const max = input.maxTextBytes ?? MAX_TEXT_BYTES;
    if (reply.content.trim() === '') problems.push('The text reply is empty; answer "success" to show nothing.');
    if (bytes > max) problems.push(`The text reply is ${bytes} bytes of UTF-8; WeChat delivers at most ${max}.`);
  }
  if (reply.type === 'news') {
    const max = message.type === 'event' ? 8 : 1;
    if (reply.articles.length > max) {
      problems.push(`A news reply to this message may carry ${max} article(s); it has ${reply.articles.length}.`);
    }
  }
}

export function judgeReply(input: JudgeInput): Verdict {
  const now = (input.now ?? Date.now)();
  const problems: string[] = [];
  const fail = (): Verdict => ({ ok: false, problems, userSees: ERROR_PAGE_TEXT });

  if (input.status !== 200) {
    problems.push(`HTTP status ${input.status}: WeChat needs 200 (answer "success" to show nothing).`);
    return fail();
  }
  if (input.body === '' || input.body === 'success') return { ok: true, problems, userSees: '' };

  let xml: string | undefined = input.body;
  let reply: ParsedReply | undefined;
  try {
    // Encrypted means an <Encrypt> element under the root, not the word inside a plain reply's text.
    if (input.body.includes('<Encrypt>') && extractEncrypted(input.body) !== undefined) {
      xml = openEncrypted(input.body, input, problems, now);
    } else if (input.mode === 'safe') {
      problems.push('安全模式 request, plaintext reply: encrypt the reply (Encrypt, MsgSignature, TimeStamp, Nonce).');
    }
    if (xml !== undefined) reply = parseReplyXml(xml);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    problems.push(`The reply is not a valid WeChat reply: ${error.message}`);
  }
  if (reply) checkReply(reply, input, problems, now);
  if (problems.length > 0) return { ...fail(), ...(reply ? { reply } : {}) };
  if (!reply) return fail();
  return { ok: true, problems, reply, userSees: describeReply(reply) };
}
