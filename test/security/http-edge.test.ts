/**
 * The HTTP edge as an attacker tries it: a POST whose query is forged (or missing) is refused on its query alone,
 * before any of its body arrives; 200 clients uploading 10 MB each to `serve` all read their 413 (none sees a reset);
 * and the webhook server's timeouts cut a body that never comes.
 */
import { request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookServer } from '../../src/server/http-server.js';
import { computeSignature } from '../../src/wechat/index.js';
import { tempDir } from '../cli/run-cli.js';
import { type RunningCli, startCli } from '../cli/spawn-cli.js';
import { statusCodes } from '../faults/raw-http.js';
import { type Harness, startHarness, TOKEN } from '../support/harness.js';

const now = () => String(Math.floor(Date.now() / 1000));

/**
 * Sends a request's head announcing `Content-Length: declared` and then nothing: collects what comes back until the
 * server closes. Fails (rather than hangs) when nothing closes within `guardMs`.
 */
function headOnly(port: number, path: string, declared: number, guardMs = 8000) {
  return new Promise<{ response: string; closedByServer: boolean }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    const finish = (closedByServer: boolean) => {
      clearTimeout(guard);
      socket.destroy();
      resolve({ response, closedByServer });
    };
    const guard = setTimeout(() => finish(false), guardMs);
    socket.on('data', (data: Buffer) => {
      response += data.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${declared}\r\n\r\n`,
      );
    });
  });
}

describe('a POST refused on its query, before its body', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    // The harness serves with Node's default timeouts (300 s for a request): an answer here cannot come from them.
    h = await startHarness();
    port = Number(new URL(h.baseUrl).port);
  });
  afterAll(() => h.close());

  const cases: Array<[string, () => string, number, RegExp]> = [
    ['a forged signature', () => `signature=${'a'.repeat(40)}&timestamp=${now()}&nonce=1`, 401, /SIGNATURE_INVALID/],
    ['no signature at all', () => `timestamp=${now()}&nonce=1`, 401, /SIGNATURE_MISSING/],
    ['no query at all', () => '', 401, /SIGNATURE_MISSING/],
    [
      'a forged signature in 安全模式',
      () => `signature=${'b'.repeat(40)}&timestamp=${now()}&nonce=1&encrypt_type=aes&msg_signature=${'c'.repeat(40)}`,
      401,
      /SIGNATURE_INVALID/,
    ],
    [
      'a valid signature on a stale timestamp (replay)',
      () => `signature=${computeSignature(TOKEN, '1000000000', '1')}&timestamp=1000000000&nonce=1`,
      401,
      /TIMESTAMP_OUT_OF_WINDOW/,
    ],
  ];
  for (const [name, query, status, code] of cases) {
    it(`${name}, declaring 60000 bytes and sending none: ${status} at once, and the connection closed`, async () => {
      const result = await headOnly(port, `${h.gpt.config.path}?${query()}`, 60_000);
      expect(statusCodes(result.response)).toEqual([status]);
      expect(result.response).toMatch(code);
      expect(result.response).toMatch(/connection: close/i);
      expect(result.closedByServer).toBe(true);
    });
  }

  it('a validly signed POST still gets its body read (and judged on it)', async () => {
    const t = now();
    const path = `${h.gpt.config.path}?signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1`;
    const response = await fetch(`${h.baseUrl}${path}`, { method: 'POST', body: '<xml><a>' });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/XML_MALFORMED/);
  });
});

describe('200 clients uploading 10 MB at once, to `serve`', () => {
  // The server in a process of its own, as users run it: a reset only shows when the clients are not in its process.
  let cli: RunningCli;
  let dir: { path: string; remove: () => void };
  let url: string;
  let token: string;
  beforeAll(async () => {
    dir = tempDir();
    cli = startCli(['serve', '--port', '0', '--no-tunnel', '--json', '--quiet'], { cwd: dir.path });
    const ready = JSON.parse(await cli.waitForLine((line) => line.startsWith('{"event":"ready"'))) as {
      url: string;
      token: string;
    };
    ({ url, token } = ready);
  });
  afterAll(async () => {
    cli.kill('SIGKILL');
    await cli.exited().catch(() => {});
    dir.remove();
  });

  /** An ordinary HTTP client posting 10 MB: what it reads back, or the error it got instead. */
  function upload(target: string, body: Buffer, chunked: boolean) {
    return new Promise<{ status?: number; text?: string; error?: string }>((resolve) => {
      const req = request(target, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'text/xml', ...(chunked ? {} : { 'Content-Length': String(body.length) }) },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', (error) => resolve({ status: res.statusCode ?? 0, error: error.message }));
      });
      req.on('error', (error) => resolve({ error: `${(error as NodeJS.ErrnoException).code ?? error.message}` }));
      req.end(body);
    });
  }

  it('every one reads its 413, none sees a connection reset', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 'a');
    const t = now();
    const target = `${url}?signature=${computeSignature(token, t, '1')}&timestamp=${t}&nonce=1`;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => upload(target, body, i % 2 === 1)));
    const seen = results.map((result) => (result.status ? `${result.status}` : `error ${result.error}`));
    expect(seen.filter((status) => status !== '413')).toEqual([]);
    for (const result of results) expect(result.text).toMatch(/BODY_TOO_LARGE/);
    // And it still answers after.
    const echo = await fetch(`${target.replace('nonce=1', 'nonce=1&echostr=42')}`);
    expect(await echo.text()).toBe('42');
  }, 60_000);
});

describe('the webhook server’s timeouts', () => {
  let server: Server;
  let port: number;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // Shortened so the test waits a fraction of a second; serve runs with WEBHOOK_SERVER_TIMEOUTS.
    server = createWebhookServer(h.gpt.listener, {
      headersTimeout: 200,
      requestTimeout: 300,
      connectionsCheckingInterval: 50,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  it('a validly signed POST whose body never comes is cut with 408 by requestTimeout', async () => {
    const t = now();
    const path = `${h.gpt.config.path}?signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1`;
    const result = await headOnly(port, path, 60_000);
    expect(result.closedByServer).toBe(true);
    expect(statusCodes(result.response)).toEqual([408]);
  });
});
