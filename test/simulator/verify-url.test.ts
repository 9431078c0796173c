import { afterEach, describe, expect, it } from 'vitest';
import { verifyUrl } from '../../src/simulator/index.js';
import { computeSignature } from '../../src/wechat/index.js';
import { correctWebhook, echo, send, startServer, type TestServer, TOKEN } from './servers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('verifyUrl (服务器配置 → 提交)', () => {
  it('passes when the webhook echoes echostr; sends what WeChat sends', async () => {
    server = await startServer(correctWebhook(echo));
    const result = await verifyUrl({ url: server.url, token: TOKEN, timeoutMs: 500 });
    expect(result).toMatchObject({ ok: true, status: 200 });
    const [{ query, method }] = server.received as [(typeof server.received)[0]];
    expect(method).toBe('GET');
    expect([...query.keys()]).toEqual(['signature', 'timestamp', 'nonce', 'echostr']);
    expect(query.get('echostr')).toMatch(/^\d{19}$/);
    expect(query.get('signature')).toBe(computeSignature(TOKEN, query.get('timestamp')!, query.get('nonce')!));
    expect(result.body).toBe(query.get('echostr'));
  });

  it('reproduces the official vector when given its timestamp, nonce and echostr', async () => {
    server = await startServer((req, res) => send(res, 200, req.query.get('signature') ?? ''));
    const result = await verifyUrl({
      url: server.url,
      token: 'AAAAA',
      timestamp: '1714036504',
      nonce: '1514711492',
      echostr: '4375120948345356249',
    });
    expect(result.body).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
    expect(result.ok).toBe(false);
  });

  it('says the Token differs on a 401', async () => {
    server = await startServer(correctWebhook(echo));
    const result = await verifyUrl({ url: server.url, token: 'wrongToken', timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/Token differs/) });
  });

  it('fails an answer that is not echostr unchanged (JSON, quotes, a newline)', async () => {
    server = await startServer((req, res) => send(res, 200, `${req.query.get('echostr')}\n`));
    const result = await verifyUrl({ url: server.url, token: TOKEN, timeoutMs: 500 });
    expect(result).toMatchObject({ ok: false, status: 200, reason: expect.stringMatching(/instead of echostr/) });
  });

  it('fails on a timeout, and on a refused connection', async () => {
    server = await startServer(() => undefined);
    const slow = await verifyUrl({ url: server.url, token: TOKEN, timeoutMs: 100 });
    expect(slow).toMatchObject({ ok: false, reason: expect.stringMatching(/No answer within 100 ms/) });
    const { url } = server;
    await server.close();
    server = undefined;
    const refused = await verifyUrl({ url, token: TOKEN, timeoutMs: 500 });
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/ECONNREFUSED/) });
  });
});
