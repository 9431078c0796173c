/** Tiny webhooks on loopback for the simulator tests: one that follows the protocol, and ways to break it. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildEncryptedReply,
  decrypt,
  extractEncrypted,
  type InboundMessage,
  parseMessage,
  type Reply,
  replyTo,
  verifyMsgSignature,
  verifySignature,
} from '../../src/wechat/index.js';

export const TOKEN = 'simToken123';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const APP_ID = 'wx1234567890abcdef';

export interface Received {
  query: URLSearchParams;
  body: string;
  method: string;
}

export interface TestServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const received: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entry = { query: url.searchParams, body: Buffer.concat(chunks).toString('utf8'), method: req.method ?? '' };
    received.push(entry);
    await handler(entry, res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wechat`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/xml; charset=utf-8' });
  res.end(body);
}

/** Opens a request as a correct webhook would: verify, decrypt when encrypted. Undefined when the signature fails. */
export function open(req: Received): { message: InboundMessage; encrypted: boolean } | undefined {
  const timestamp = req.query.get('timestamp') ?? '';
  const nonce = req.query.get('nonce') ?? '';
  if (req.query.get('encrypt_type') === 'aes') {
    const envelope = extractEncrypted(req.body);
    const msgSignature = req.query.get('msg_signature') ?? '';
    if (!envelope || !verifyMsgSignature({ token: TOKEN, timestamp, nonce, encrypt: envelope.encrypt, msgSignature })) {
      return undefined;
    }
    return {
      message: parseMessage(decrypt({ aesKey: AES_KEY, appId: APP_ID, encrypted: envelope.encrypt })),
      encrypted: true,
    };
  }
  if (!verifySignature({ token: TOKEN, timestamp, nonce, signature: req.query.get('signature') ?? '' }))
    return undefined;
  return { message: parseMessage(req.body), encrypted: false };
}

/** Answers like a correct webhook, with `answer(message)`; encrypted when the request was. */
export function correctWebhook(answer: (message: InboundMessage) => Reply): Handler {
  return (req, res) => {
    if (req.method === 'GET') {
      const ok = verifySignature({
        token: TOKEN,
        timestamp: req.query.get('timestamp') ?? '',
        nonce: req.query.get('nonce') ?? '',
        signature: req.query.get('signature') ?? '',
      });
      send(res, ok ? 200 : 401, ok ? (req.query.get('echostr') ?? '') : 'SIGNATURE_INVALID');
      return;
    }
    const opened = open(req);
    if (!opened) return send(res, 401, 'SIGNATURE_INVALID');
    const reply = answer(opened.message);
    if (reply.type === 'success') return send(res, 200, 'success');
    const createTime = Math.floor(Date.now() / 1000);
    const xml = replyTo(opened.message, reply, { createTime });
    if (!opened.encrypted) return send(res, 200, xml);
    const nonce = req.query.get('nonce') ?? '';
    send(
      res,
      200,
      buildEncryptedReply({ token: TOKEN, aesKey: AES_KEY, appId: APP_ID, xml, nonce, timestamp: createTime }),
    );
  };
}

export const echo = (message: InboundMessage): Reply =>
  message.type === 'text' ? { type: 'text', content: `echo:${message.content}` } : { type: 'success' };
