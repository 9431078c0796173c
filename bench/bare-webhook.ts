/**
 * The baseline: a bare node:http handler doing only the protocol work a reply needs (signature and replay checks, the
 * same guarded XML parser, decrypt and encrypt in 安全模式, the reply XML), with no bot, store or logging: a fixed text
 * for the keyword, for a subscribe event (the welcome) and, standing in for the model, for any other text.
 * What wechat-gpt adds on top of it is what the throughput table measures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BENCH_WECHAT, KEYWORD, KEYWORD_ANSWER, MODEL_ANSWER } from './constants.js';

// The built protocol module (dist/, `npm run build` first), as the wechat-gpt servers beside it run theirs.
const {
  buildEncryptedReply,
  decodeAesKey,
  decrypt,
  extractEncrypted,
  parseMessage,
  replyTo,
  verifyMsgSignature,
  verifySignature,
} = (await import('../dist/wechat/index.js')) as typeof import('../src/wechat/index.js');

export interface BareWebhookOptions {
  token: string;
  encodingAesKey: string;
  appId: string;
  keyword: string;
  answer: string;
  /** The answer to a subscribe event (default: none, `success`). */
  welcome?: string;
  /** The answer to any other text, standing in for the model's (default: none, `success`). */
  otherText?: string;
  maxBodyBytes?: number;
  replayWindowSec?: number;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createBareWebhook({
  token,
  encodingAesKey,
  appId,
  keyword,
  answer,
  welcome,
  otherText,
  maxBodyBytes = 64 * 1024,
  replayWindowSec = 300,
}: BareWebhookOptions) {
  const aesKey = decodeAesKey(encodingAesKey);
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, {
      'Content-Type': 'application/xml; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  return async function bareWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = req.url ?? '/';
      const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
      const body = await readBody(req, maxBodyBytes);
      if (body === undefined) return send(res, 413, 'too large');
      const timestamp = query.get('timestamp') ?? '';
      const nonce = query.get('nonce') ?? '';
      if (Math.abs(Date.now() / 1000 - Number(timestamp)) > replayWindowSec) return send(res, 401, 'replay');
      const encrypted = query.get('encrypt_type') === 'aes';
      let xml = body;
      if (encrypted) {
        const envelope = extractEncrypted(body);
        const msgSignature = query.get('msg_signature') ?? '';
        if (!envelope || !verifyMsgSignature({ token, timestamp, nonce, encrypt: envelope.encrypt, msgSignature })) {
          return send(res, 401, 'signature');
        }
        xml = decrypt({ aesKey, appId, encrypted: envelope.encrypt });
      } else if (!verifySignature({ token, timestamp, nonce, signature: query.get('signature') ?? '' })) {
        return send(res, 401, 'signature');
      }
      const message = parseMessage(xml);
      const content =
        message.type === 'event'
          ? message.event === 'subscribe'
            ? welcome
            : undefined
          : message.type === 'text'
            ? message.content.trim() === keyword
              ? answer
              : otherText
            : undefined;
      if (content === undefined) return send(res, 200, 'success');
      const createTime = Math.floor(Date.now() / 1000);
      const reply = replyTo(message, { type: 'text', content }, { createTime });
      send(
        res,
        200,
        encrypted ? buildEncryptedReply({ token, aesKey, appId, xml: reply, nonce, timestamp: createTime }) : reply,
      );
    } catch {
      send(res, 400, 'bad request');
    }
  };
}

/** The handler every bench compares with: the bench account, answering the bench's keyword, welcome and model texts. */
export function benchBareWebhook(welcome: string): ReturnType<typeof createBareWebhook> {
  return createBareWebhook({
    ...BENCH_WECHAT,
    keyword: KEYWORD,
    answer: KEYWORD_ANSWER,
    welcome,
    otherText: MODEL_ANSWER,
  });
}
