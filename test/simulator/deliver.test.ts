import { afterEach, describe, expect, it } from 'vitest';
import { deliver, ERROR_PAGE_TEXT, type SimulatedMode } from '../../src/simulator/index.js';
import { buildEncryptedReply, buildReplyXml } from '../../src/wechat/index.js';
import { AES_KEY, APP_ID, correctWebhook, echo, open, send, startServer, type TestServer, TOKEN } from './servers.js';

/** WeChat's 5 s at a twenty-fifth. */
const TIMEOUT_MS = 200;
const keys = { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Parameters<typeof startServer>[0]) {
  server = await startServer(handler);
  return server;
}

const hello = { type: 'text' as const, content: '你好' };

describe('deliver to a correct webhook', () => {
  for (const mode of ['plain', 'compat', 'safe'] as SimulatedMode[]) {
    it(`${mode}: one attempt, the reply read back, the user sees the text`, async () => {
      const { url } = await serve(correctWebhook(echo));
      const result = await deliver({ url, mode, message: hello, timeoutMs: TIMEOUT_MS, ...keys });
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.userSees).toBe('echo:你好');
      expect(result.attempts).toEqual([expect.objectContaining({ n: 1, status: 200, outcome: 'reply' })]);
      expect(result.reply).toMatchObject({ type: 'text', content: 'echo:你好', toUser: result.message.fromUser });
      if (mode !== 'plain') expect(result.rawBody).toContain('<Encrypt>');
    });
  }

  it('"success" shows nothing and is fine', async () => {
    const { url } = await serve(correctWebhook(() => ({ type: 'success' })));
    const result = await deliver({ url, mode: 'safe', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(result).toMatchObject({ ok: true, userSees: '', problems: [] });
    expect(result.attempts[0]!.outcome).toBe('empty');
  });

  it('an empty 200 body shows nothing and is fine', async () => {
    const { url } = await serve((_req, res) => send(res, 200, ''));
    expect(await deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, ...keys })).toMatchObject({
      ok: true,
      userSees: '',
    });
  });

  it('shows media and news replies the way a chat would', async () => {
    const { url } = await serve(
      correctWebhook((m) =>
        m.type === 'event'
          ? { type: 'news', articles: [{ title: '官网' }, { title: '文档' }] }
          : { type: 'image', mediaId: 'MEDIA_1' },
      ),
    );
    const image = await deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(image.userSees).toBe('[image MEDIA_1]');
    const news = await deliver({
      url,
      mode: 'plain',
      message: { type: 'event', event: 'CLICK', key: 'K' },
      timeoutMs: TIMEOUT_MS,
      ...keys,
    });
    expect(news).toMatchObject({ ok: true, userSees: '[news 官网 | 文档]' });
  });
});

describe('deliver: WeChat timing', () => {
  it('drops a slow first attempt and retries with the same MsgId and the same body', async () => {
    let calls = 0;
    const answer = correctWebhook(() => ({ type: 'text', content: 'second' }));
    const { url, received } = await serve((req, res, raw) => {
      calls += 1;
      if (calls === 1) return; // never answers: the simulator drops it at the timeout
      return answer(req, res, raw);
    });
    const result = await deliver({ url, mode: 'safe', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'reply']);
    expect(result.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(result.userSees).toBe('second');
    expect(received).toHaveLength(2);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(received[1]!.query.toString()).toBe(received[0]!.query.toString());
    const [first, second] = received.map((r) => open(r)!.message);
    expect(first).toHaveProperty('msgId', result.message.type === 'text' ? result.message.msgId : undefined);
    expect(second).toEqual(first);
  });

  it('sends each attempt to urlForAttempt(n): retries may reach another instance, same query and body', async () => {
    const silent = await serve(() => undefined);
    const other = await startServer(correctWebhook(() => ({ type: 'text', content: 'from B' })));
    try {
      const urls = [silent.url, other.url];
      const result = await deliver({
        url: silent.url,
        urlForAttempt: (n) => urls[(n - 1) % urls.length]!,
        mode: 'safe',
        message: hello,
        timeoutMs: TIMEOUT_MS,
        ...keys,
      });
      expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'reply']);
      expect(result.userSees).toBe('from B');
      expect(silent.received).toHaveLength(1);
      expect(other.received).toHaveLength(1);
      expect(other.received[0]!.body).toBe(silent.received[0]!.body);
      expect(other.received[0]!.query.toString()).toBe(silent.received[0]!.query.toString());
    } finally {
      await other.close();
    }
  });

  it('gives up after 3 timeouts: the user sees the error page', async () => {
    const { url, received } = await serve(() => undefined);
    const result = await deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(received).toHaveLength(3);
    expect(result).toMatchObject({ ok: false, userSees: ERROR_PAGE_TEXT });
    expect(result.problems).toEqual([expect.stringMatching(/No answer within 200 ms on 3 attempts/)]);
    expect(result.latencyMs).toBeGreaterThanOrEqual(3 * TIMEOUT_MS - 15);
  });

  it('honours attempts and reports a refused connection', async () => {
    const { url } = await serve(() => undefined);
    await server!.close();
    server = undefined;
    const result = await deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, attempts: 2, ...keys });
    expect(result.attempts.map((a) => a.outcome)).toEqual(['error', 'error']);
    expect(result.problems[0]).toMatch(/Could not reach the webhook \(ECONNREFUSED\) on 2 attempts/);
    expect(result.userSees).toBe(ERROR_PAGE_TEXT);
  });

  it('stops when the caller aborts', async () => {
    const { url } = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(
      deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, signal: controller.signal, ...keys }),
    ).rejects.toThrow('stop');
  });
});

describe('deliver: broken answers are problems and the error page', () => {
  const replyXml =
    (overrides: { toUser?: string; fromUser?: string; createTime?: number; content?: string } = {}) =>
    (req: Parameters<typeof open>[0]) => {
      const { message } = open(req)!;
      return buildReplyXml(
        { type: 'text', content: overrides.content ?? 'hi' },
        { toUser: message.fromUser, fromUser: message.toUser, ...overrides },
      );
    };

  const cases: [string, Parameters<typeof startServer>[0], RegExp, SimulatedMode?][] = [
    ['HTTP 500', (_req, res) => send(res, 500, 'oops'), /HTTP status 500/],
    ['JSON instead of XML', (_req, res) => send(res, 200, '{"reply":"hi"}'), /not a valid WeChat reply/],
    ['broken XML', (_req, res) => send(res, 200, '<xml><Content>hi</xml>'), /not a valid WeChat reply/],
    [
      'an unknown MsgType',
      (_req, res) =>
        send(
          res,
          200,
          '<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>markdown</MsgType></xml>',
        ),
      /Unknown reply MsgType "markdown"/,
    ],
    [
      'CreateTime in milliseconds',
      (req, res) => {
        const xml = replyXml()(req).replace(
          /<CreateTime>(\d+)<\/CreateTime>/,
          (_m, s: string) => `<CreateTime>${s}000</CreateTime>`,
        );
        send(res, 200, xml);
      },
      /CreateTime \d+ is in milliseconds/,
    ],
    ['a stale CreateTime', (req, res) => send(res, 200, replyXml({ createTime: 1_000_000 })(req)), /away from now/],
    ['To/From not swapped', (req, res) => send(res, 200, replyXml({ toUser: 'gh_wrong' })(req)), /must be swapped/],
    [
      'text over 2048 bytes',
      (req, res) => send(res, 200, replyXml({ content: '字'.repeat(683) })(req)),
      /2049 bytes.*at most 2048/,
    ],
    [
      'a plaintext reply to a 安全模式 request',
      (req, res) => send(res, 200, replyXml()(req)),
      /encrypt the reply/,
      'safe',
    ],
    [
      'a wrong MsgSignature',
      (req, res) => {
        const body = buildEncryptedReply({
          token: 'otherToken',
          aesKey: AES_KEY,
          appId: APP_ID,
          xml: replyXml()(req),
          nonce: '1',
          timestamp: Math.floor(Date.now() / 1000),
        });
        send(res, 200, body);
      },
      /wrong MsgSignature/,
      'safe',
    ],
    [
      'encrypted for another AppID',
      (req, res) => {
        const body = buildEncryptedReply({
          token: TOKEN,
          aesKey: AES_KEY,
          appId: 'wx0000000000000000',
          xml: replyXml()(req),
          nonce: '1',
          timestamp: Math.floor(Date.now() / 1000),
        });
        send(res, 200, body);
      },
      /does not decrypt with this EncodingAESKey and AppID/,
      'safe',
    ],
  ];

  for (const [name, handler, problem, mode = 'plain'] of cases) {
    it(name, async () => {
      const { url } = await serve(handler);
      const result = await deliver({ url, mode, message: hello, timeoutMs: TIMEOUT_MS, ...keys });
      expect(result.ok).toBe(false);
      expect(result.userSees).toBe(ERROR_PAGE_TEXT);
      expect(result.problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
      expect(result.attempts).toHaveLength(1);
    });
  }

  it('accepts exactly 2048 bytes of text', async () => {
    const { url } = await serve((req, res) => send(res, 200, replyXml({ content: `${'字'.repeat(682)}ab` })(req)));
    const result = await deliver({ url, mode: 'plain', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(result.problems).toEqual([]);
    expect(Buffer.byteLength(result.userSees)).toBe(2048);
  });

  it('accepts a plaintext reply in 兼容模式 (WeChat takes either there)', async () => {
    const { url } = await serve((req, res) => send(res, 200, replyXml()(req)));
    const result = await deliver({ url, mode: 'compat', message: hello, timeoutMs: TIMEOUT_MS, ...keys });
    expect(result).toMatchObject({ ok: true, userSees: 'hi' });
  });
});
