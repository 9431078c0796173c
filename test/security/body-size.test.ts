/**
 * A 10 MB body: answered 413 as soon as the cap is known (from Content-Length, or while a chunked body streams in),
 * long before the upload ends, and the connection is closed rather than left reading an upload of any size. The
 * server keeps answering everyone else meanwhile.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature } from '../../src/wechat/index.js';
import { statusCodes } from '../faults/raw-http.js';
import { type Harness, startHarness, TOKEN } from '../support/harness.js';

const TEN_MB = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/**
 * Uploads up to `total` bytes at the pace the socket accepts them, until the server closes the connection. Reports
 * what came back and how much of the body had been sent by then.
 */
function upload(port: number, path: string, { chunked, total }: { chunked: boolean; total: number }) {
  return new Promise<{ response: string; sent: number; closedByServer: boolean }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ response, sent, closedByServer });
    };
    socket.on('data', (data: Buffer) => {
      response += data.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const pump = () => {
      while (!done && sent < total) {
        const piece = chunked ? Buffer.concat([Buffer.from('10000\r\n'), CHUNK, Buffer.from('\r\n')]) : CHUNK;
        sent += CHUNK.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      // Everything went out and the connection stays open: done once the answer is in.
      const answered = () => (statusCodes(response).length > 0 ? finish(false) : setTimeout(answered, 10));
      if (!done) answered();
    };
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n` +
          `${chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`}\r\n\r\n`,
      );
      pump();
    });
  });
}

describe('a 10 MB body', () => {
  let h: Harness;
  let port: number;
  let path: string;
  beforeAll(async () => {
    h = await startHarness();
    port = Number(new URL(h.baseUrl).port);
    const t = String(Math.floor(Date.now() / 1000));
    path = `${h.gpt.config.path}?signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1`;
  });
  afterAll(() => h.close());

  for (const chunked of [false, true]) {
    it(`${chunked ? 'chunked (no Content-Length)' : 'with Content-Length'}: 413, then the connection is closed`, async () => {
      const result = await upload(port, path, { chunked, total: TEN_MB });
      expect(statusCodes(result.response)).toEqual([413]);
      expect(result.response).toMatch(/BODY_TOO_LARGE/);
      expect(result.response).toMatch(/connection: close/i);
      expect(result.closedByServer).toBe(true);
      // The server stopped reading well before the 10 MB were through.
      expect(result.sent).toBeLessThan(TEN_MB / 2);
    });
  }

  it('the server answers others while refusing uploads, and is healthy after', async () => {
    const uploads = [
      upload(port, path, { chunked: true, total: TEN_MB }),
      upload(port, path, { chunked: false, total: TEN_MB }),
    ];
    h.fake.script({ reply: 'still here' });
    const result = await h.send('are you there?');
    expect(result.userSees).toBe('still here');
    for (const done of await Promise.all(uploads)) expect(statusCodes(done.response)).toEqual([413]);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a body just under the cap is read and judged on its content', async () => {
    const cap = h.gpt.config.limits.maxBodyBytes;
    const result = await upload(port, path, { chunked: false, total: cap - (cap % CHUNK.length) });
    expect(statusCodes(result.response)).toEqual([400]);
    expect(result.response).toMatch(/XML_MALFORMED/);
  });
});
