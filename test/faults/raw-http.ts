/**
 * A raw HTTP client for hostile tests (fuzz, faults, security): any method, headers and body, a fresh connection per
 * request, and a deadline that turns a hang into a failure instead of a stuck test. Bodies can be sent slowly.
 */
import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sends the body in this many pieces, `pieceDelayMs` apart (a slow client). */
  pieces?: number;
  pieceDelayMs?: number;
  /** Fails the request when no full answer came within this long (default 5 s). */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class NoAnswerError extends Error {}

export function rawRequest(
  url: string,
  { method = 'POST', headers = {}, body, pieces = 1, pieceDelayMs = 0, timeoutMs = 5000 }: RawRequest = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const req = request(url, {
      method,
      agent: false,
      headers: { ...(payload ? { 'Content-Length': String(payload.length) } : {}), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new NoAnswerError(`no answer to ${method} ${url.slice(0, 120)} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void (async () => {
      if (!payload || pieces <= 1) return req.end(payload);
      const size = Math.ceil(payload.length / pieces);
      for (let at = 0; at < payload.length; at += size) {
        if (req.destroyed) return;
        if (at > 0) await sleep(pieceDelayMs);
        req.write(payload.subarray(at, at + size));
      }
      req.end();
    })();
  });
}

/**
 * Writes raw bytes to the server's port and collects whatever comes back until the server closes the connection
 * (or `timeoutMs`, which then reports `closed: false`).
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 3000,
): Promise<{ response: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => socket.end(bytes));
  });
}

/** The status codes in a raw HTTP/1.1 response stream (several when the connection carried several answers). */
export function statusCodes(response: string): number[] {
  return [...response.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]));
}
