// Who may use the console: this machine's browser with the run's secret, on the console's own origin. Real requests
// on loopback, with the headers a DNS-rebinding page, a cross-site form or the tunnel would send.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, SECRET, startConsoleServer } from './console-server.js';

let server: ConsoleServer;
beforeAll(async () => {
  server = await startConsoleServer();
});
afterAll(async () => {
  await server?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that Host and the other headers are exactly what a hostile client would send. */
function raw(
  path: string,
  { method = 'GET', headers = {} as Record<string, string>, body = '' } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method, headers: { host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

describe('the console guard', () => {
  it('the printed URL sets an HttpOnly, SameSite=Strict cookie for this port and redirects to a URL without the secret', async () => {
    const answer = await raw(`/_console/?secret=${SECRET}`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/_console/');
    expect(answer.headers['set-cookie']?.[0]).toBe(
      `wechat_gpt_console_${server.port}=${SECRET}; Path=/_console; HttpOnly; SameSite=Strict`,
    );
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves the page and the API with the cookie, with a strict content security policy', async () => {
    const page = await raw('/_console/', { headers: { cookie: server.cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-testid="chat-input"');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await raw('/_console/app.js', { headers: { cookie: server.cookie } })).status).toBe(200);
    expect((await raw('/_console/api/info', { headers: { cookie: server.cookie } })).status).toBe(200);
  });

  it.each([
    ['no cookie', { cookie: '' }, 401],
    ['a wrong secret in the URL', { path: '/_console/?secret=guess' }, 401],
    ['a wrong cookie', { cookie: `wechat_gpt_console_${0}=${SECRET}` }, 401],
    ['another Host (DNS rebinding)', { host: 'evil.example:80' }, 403],
    ['a loopback Host with another port', { host: '127.0.0.1:1' }, 403],
    ['X-Forwarded-For (the tunnel, a proxy)', { 'x-forwarded-for': '203.0.113.7' }, 403],
    ['an Origin of another site', { origin: 'http://evil.example' }, 403],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403],
  ] as const)('refuses %s', async (_name, headers, status) => {
    const { path = '/_console/api/messages', cookie = server.cookie, ...rest } = headers as Record<string, string>;
    const answer = await raw(path, { headers: { ...(path.includes('secret=') ? {} : { cookie }), ...rest } });
    expect(answer.status).toBe(status);
    expect(answer.body).not.toContain('"id"');
  });

  it('refuses a POST without an Origin (a form or a script elsewhere cannot send one of ours)', async () => {
    const body = JSON.stringify({ openid: 'oForged', kind: 'text', text: 'forged' });
    const answer = await raw('/_console/api/chat', {
      method: 'POST',
      headers: { cookie: server.cookie, 'content-type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(403);
    const plain = await raw('/_console/api/chat', {
      method: 'POST',
      headers: { cookie: server.cookie, 'content-type': 'text/plain', origin: server.base },
      body,
    });
    expect(plain.status).toBe(400);
  });

  it('leaves every other URL to the webhook and express', async () => {
    expect((await raw('/_consolex')).status).toBe(404);
    expect((await raw('/healthz')).status).toBe(200);
  });
});
