/** Reads a request body as UTF-8 text, refusing anything over the cap before it is buffered. */
import type { IncomingMessage } from 'node:http';
import { ProtocolError } from '../wechat/errors.js';

export function readRawBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new ProtocolError('BODY_TOO_LARGE', `Request body is larger than ${maxBytes} bytes.`, {
      hint: 'WeChat messages are small; raise limits.maxBodyBytes only if you are sure.',
    });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(tooLarge());
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', (error) => finish(error));
    req.once('aborted', () => finish(new Error('request aborted')));
  });
}
