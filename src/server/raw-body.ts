/** Reads a request body as UTF-8 text, refusing anything over the cap before it is buffered. */
import type { IncomingMessage } from 'node:http';
import { ProtocolError } from '../wechat/errors.js';

/**
 * The body, read here, or as a body parser mounted before the webhook left it (express.text / express.raw): their
 * `req.body` holds the exact text, so the signature still checks out.
 */
export function bodyOf(req: IncomingMessage & { body?: unknown }, maxBytes: number): Promise<string> {
  const parsed = req.body;
  if (req.readableEnded && (typeof parsed === 'string' || Buffer.isBuffer(parsed))) {
    const text = typeof parsed === 'string' ? parsed : parsed.toString('utf8');
    if (Buffer.byteLength(text) > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
    return Promise.resolve(text);
  }
  return readRawBody(req, maxBytes);
}

const bodyTooLarge = (maxBytes: number) =>
  new ProtocolError('BODY_TOO_LARGE', `Request body is larger than ${maxBytes} bytes.`, {
    hint: 'WeChat messages are small; raise limits.maxBodyBytes only if you are sure.',
  });

export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  const declared = Number(req.headers['content-length']);
  // The rest of a refused body is left unread: the caller answers and hangs up (hang-up.ts).
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(tooLarge());
      else chunks.push(chunk);
    };
    // `on`, not `once`: finish runs once anyway, and `once` wraps every listener in a closure of its own.
    req.on('data', onData);
    req.on('end', () => finish());
    req.on('error', (error) => finish(error));
    req.on('aborted', () => finish(new Error('request aborted')));
  });
}
