// The core call: the access_token on every request, one retry on a refused token, errcodes as errors with hints.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatApiError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory.js';
import {
  classifyPushFailure,
  createWechatApi,
  isPushForbidden,
  isPushUnavailable,
  type WechatApiOptions,
} from '../../src/wechat-api/index.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';

const appId = 'wx1234567890abcdef';
const appSecret = 'app-secret-0123456789abcdef0123456';
const openid = 'oUser_0123456789abcdefghijklm';
const SEND = '/cgi-bin/message/custom/send';
const STABLE = '/cgi-bin/stable_token';

let fake: FakeWechatApi;
beforeEach(async () => {
  fake = await startFakeWechatApi({ appId, appSecret });
});
afterEach(() => fake.close());

function api(options: Partial<WechatApiOptions> = {}) {
  return createWechatApi({ appId, appSecret, apiBase: fake.url, store: createMemoryStore(), ...options });
}

async function failure(promise: Promise<unknown>): Promise<WechatApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
}

describe('call', () => {
  it('sends the access_token and returns the JSON answer', async () => {
    const wechat = api();
    const answer = await wechat.call(SEND, { json: { touser: openid, msgtype: 'text', text: { content: '你好' } } });
    expect(answer).toEqual({ errcode: 0, errmsg: 'ok' });
    const sent = fake.callsTo(SEND)[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.query.access_token).toBe(await wechat.getAccessToken());
  });

  it.each([40001, 40014, 42001])('renews the token and retries once after %i', async (errcode) => {
    const wechat = api();
    const old = await wechat.getAccessToken();
    fake.inject(SEND, errcode);
    await wechat.sendText(openid, '再试一次');
    const sends = fake.callsTo(SEND);
    expect(sends).toHaveLength(2);
    expect(sends[1]!.query.access_token).not.toBe(old);
    expect((fake.callsTo(STABLE).at(-1)!.body as { force_refresh: boolean }).force_refresh).toBe(true);
    expect(fake.pushed(openid)).toHaveLength(1);
  });

  it('recovers from a token that really expired at WeChat (42001)', async () => {
    const wechat = api();
    await wechat.sendText(openid, 'one');
    fake.expireTokens();
    await wechat.sendText(openid, 'two');
    expect(fake.pushed(openid).map((item) => (item.body.text as { content: string }).content)).toEqual(['one', 'two']);
    expect(fake.callsTo(SEND)).toHaveLength(3);
  });

  it('retries only once when the fresh token is refused too', async () => {
    const wechat = api();
    fake.inject(SEND, 40001, 10);
    const error = await failure(wechat.sendText(openid, 'never'));
    expect(error.errcode).toBe(40001);
    expect(error.hint).toContain('store');
    expect(fake.callsTo(SEND)).toHaveLength(2);
    expect(fake.callsTo(STABLE)).toHaveLength(2);
  });

  it('renews a refused token once for many concurrent calls', async () => {
    const wechat = api();
    await wechat.getAccessToken();
    fake.expireTokens();
    await Promise.all(Array.from({ length: 20 }, (_, i) => wechat.sendText(openid, `m${i}`)));
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    expect(fake.pushed(openid)).toHaveLength(20);
  });

  it('renews a refused token once across two instances on one store', async () => {
    const store = createMemoryStore();
    const [a, b] = [api({ store }), api({ store })];
    await a.sendText(openid, 'first');
    fake.expireTokens();
    // Both are refused; one forces a new token, the other takes it from the store (or waits on the lock for it).
    await Promise.all([
      a.sendText(openid, 'a'),
      b.sendText(openid, 'b'),
      a.sendText(openid, 'a2'),
      b.sendText(openid, 'b2'),
    ]);
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    expect(fake.pushed(openid)).toHaveLength(5);
  });
});

describe('errors', () => {
  const cases: [number, string][] = [
    [40164, 'IP白名单'],
    [48001, 'passive'],
    [45009, 'daily quota'],
    [45015, '48 hours'],
    [45047, 'quota'],
    [40125, 'WECHAT_APP_SECRET'],
    [40013, 'WECHAT_APP_ID'],
  ];

  it.each(cases)('maps errcode %i to a WechatApiError with a hint', async (errcode, hint) => {
    const wechat = api();
    fake.inject(errcode === 40125 || errcode === 40013 ? STABLE : SEND, errcode);
    const error = await failure(wechat.sendText(openid, 'hi'));
    expect(error).toMatchObject({ code: 'WECHAT_API_ERROR', errcode, status: 502 });
    expect(error.hint).toContain(hint);
    expect(error.message).toContain(String(errcode));
  });

  it('names the IP WeChat saw in the 40164 hint', async () => {
    fake.inject(STABLE, 40164);
    const error = await failure(api().getAccessToken());
    expect(error.hint).toContain('203.0.113.7');
  });

  it('maps -1 (system busy) to WECHAT_API_UNREACHABLE without retrying', async () => {
    const wechat = api();
    fake.inject(SEND, -1);
    const error = await failure(wechat.sendText(openid, 'hi'));
    expect(error).toMatchObject({ code: 'WECHAT_API_UNREACHABLE', errcode: -1 });
    expect(fake.callsTo(SEND)).toHaveLength(1);
  });

  it('reports an outage (socket destroyed) as WECHAT_API_UNREACHABLE', async () => {
    const wechat = api();
    fake.inject(SEND, 'outage');
    const error = await failure(wechat.sendText(openid, 'hi'));
    expect(error.code).toBe('WECHAT_API_UNREACHABLE');
    expect(error.hint).toContain('api.weixin.qq.com');
  });

  it('reports a refused connection quickly', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await failure(api({ apiBase: `http://127.0.0.1:${port}` }).sendText(openid, 'hi'));
    expect(error.code).toBe('WECHAT_API_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up after timeoutMs when WeChat does not answer', async () => {
    const wechat = api({ timeoutMs: 200 });
    await wechat.getAccessToken();
    fake.inject(SEND, 'stall');
    const started = Date.now();
    const error = await failure(wechat.sendText(openid, 'hi'));
    const elapsed = Date.now() - started;
    expect(error.code).toBe('WECHAT_API_UNREACHABLE');
    expect(error.message).toContain('200 ms');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
  });

  it('honours a per-call timeoutMs and the caller’s abort', async () => {
    const wechat = api({ timeoutMs: 5000 });
    await wechat.getAccessToken();
    fake.inject(SEND, 'stall', 2);
    await expect(wechat.sendText(openid, 'hi', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'WECHAT_API_UNREACHABLE',
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(wechat.sendText(openid, 'hi', { signal: controller.signal })).rejects.toThrow('shutting down');
  });

  it('reports an answer that is not the WeChat API (HTML 502 from a proxy)', async () => {
    const wechat = api();
    fake.inject(SEND, { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' });
    const error = await failure(wechat.sendText(openid, 'hi'));
    expect(error.code).toBe('WECHAT_API_UNREACHABLE');
    expect(error.message).toContain('HTTP 502');
  });

  it('never shows the AppSecret or an access_token in messages, hints or causes', async () => {
    const wechat = api();
    const token = await wechat.getAccessToken();
    // WeChat (or a proxy) echoing the request back must not leak it either.
    fake.inject(SEND, { errcode: 40003, errmsg: `invalid openid for access_token=${token} secret ${appSecret}` });
    fake.inject(SEND, {
      status: 500,
      body: `boom ?access_token=${token}&secret=${appSecret}`,
      contentType: 'text/plain',
    });
    const errors = [
      await failure(wechat.sendText(openid, 'hi')),
      await failure(wechat.sendText(openid, 'hi')),
      await failure(api({ appSecret: `${appSecret}x` }).getAccessToken()),
      await failure(api({ apiBase: `http://127.0.0.1:${await closedPort()}` }).getAccessToken()),
    ];
    for (const error of errors) {
      const text = [error.message, error.hint, error.stack, String(error.cause), JSON.stringify(error)].join('\n');
      expect(text).not.toContain(appSecret);
      expect(text).not.toContain(token);
    }
    expect(errors[0]!.message).toContain('[masked]');
  });

  it('keeps secrets out of the logs', async () => {
    const lines: string[] = [];
    const log = (fields: Record<string, unknown>, message?: string) =>
      lines.push(`${JSON.stringify(fields)} ${message}`);
    const wechat = api({ logger: { debug: log, info: log, warn: log, error: log } });
    const token = await wechat.getAccessToken();
    fake.inject(SEND, 40001);
    await wechat.sendText(openid, 'hi');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).not.toContain(appSecret);
    expect(lines.join('\n')).not.toContain(token);
  });
});

describe('push failure classification', () => {
  it.each([
    [45015, 'user'],
    [45047, 'user'],
    [45009, 'down'],
    [-1, 'down'],
    [48001, 'forbidden'],
    [40164, 'down'],
    [40125, 'down'],
    [45002, 'unexpected'],
  ] as const)('errcode %i → %s', async (errcode, expected) => {
    fake.inject(errcode === 40125 || errcode === 40164 ? STABLE : SEND, errcode);
    const error = await failure(api().sendText(openid, 'hi'));
    expect(classifyPushFailure(error)).toBe(expected);
    expect(isPushUnavailable(error)).toBe(expected !== 'unexpected');
    expect(isPushForbidden(error)).toBe(expected === 'forbidden');
  });

  it('treats an outage as unavailable, and anything that is not a WechatApiError as unexpected', async () => {
    fake.inject(STABLE, 'outage');
    expect(isPushUnavailable(await failure(api().sendText(openid, 'hi')))).toBe(true);
    expect(classifyPushFailure(new Error('bug'))).toBe('unexpected');
  });
});

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
