/**
 * Fuzzing the running server: random methods, paths, queries, headers and bodies (unsigned, forged, and validly
 * signed around random or random-but-valid messages, plain and encrypted) against a real server on loopback. No
 * answer may be a 5xx, every request is answered within a bound, every 200 to a message is a reply WeChat can read,
 * and the server is healthy afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessageXml,
  computeMsgSignature,
  computeSignature,
  decrypt,
  encrypt,
  parseEncryptedReply,
  parseReplyXml,
} from '../../src/wechat/index.js';
import { cdata } from '../../src/wechat/xml.js';
import { rawExchange, rawRequest, statusCodes } from '../faults/raw-http.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, startHarness, TOKEN } from '../support/harness.js';
import { anyString, fuzzParams, inboundMessage, markupString, xmlishDocument } from './arbitraries.js';

type Auth = 'none' | 'junk' | 'plain' | 'safe' | 'safe-forged' | 'stale';

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
  auth: Auth;
}

const queryValue = fc.oneof(
  anyString.map(encodeURIComponent),
  fc.constantFrom('', '%', '%zz', '%E4%B8', 'aes', 'raw', '0', '-1', '9'.repeat(40), 'a'.repeat(40)),
);
const queryName = fc.constantFrom(
  'signature',
  'timestamp',
  'nonce',
  'openid',
  'encrypt_type',
  'msg_signature',
  'echostr',
  '__proto__',
  'x',
);
const junkQuery = fc
  .array(fc.tuple(queryName, queryValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'));

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const headers = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        'Content-Type': fc.constantFrom(
          'text/xml',
          'application/xml; charset=utf-8',
          'application/json',
          'multipart/form-data; boundary=x',
          'text/plain; charset=gbk',
          '',
        ),
        'X-Forwarded-For': headerValue,
        'User-Agent': headerValue,
        Cookie: headerValue,
      },
      { requiredKeys: [] },
    ),
  },
  // Node answers unknown expectations with 417 before any handler: rare, so the rest of the run goes deeper.
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '100-continue', 'x').map((expect): Record<string, string> => ({ Expect: expect })),
  },
);

/** What goes inside a message (the plain body, or the plaintext inside <Encrypt>). */
const messageXml = fc.oneof(
  { weight: 3, arbitrary: inboundMessage.map((message) => buildMessageXml({ ...message, toUser: ACCOUNT })) },
  { weight: 2, arbitrary: xmlishDocument },
  { weight: 1, arbitrary: fc.oneof(anyString, markupString) },
);

const bodyOf = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: messageXml },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((size) => `<xml>${'x'.repeat(size)}</xml>`) },
);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Builds the request, signing it (correctly, or almost) when its auth says so. */
function assemble(
  method: string,
  path: string,
  auth: Auth,
  junk: string,
  body: string | undefined,
  inner: string,
  requestHeaders: Record<string, string>,
): FuzzRequest {
  const nonce = String(nowSeconds() % 99_991);
  const timestamp = String(auth === 'stale' ? nowSeconds() - 3600 : nowSeconds());
  const signed = `signature=${computeSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;
  let query = junk;
  let sent = body;
  if (auth === 'plain' || auth === 'stale') query = `${signed}&openid=o1&${junk}`;
  if (auth === 'safe' || auth === 'safe-forged') {
    const sealed = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: inner });
    const msgSignature =
      auth === 'safe'
        ? computeMsgSignature(TOKEN, timestamp, nonce, sealed)
        : computeSignature(TOKEN, timestamp, nonce);
    query = `${signed}&encrypt_type=aes&msg_signature=${msgSignature}&${junk}`;
    sent = `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName><Encrypt>${cdata(sealed)}</Encrypt></xml>`;
  }
  return { method, path, query, headers: requestHeaders, body: sent, auth };
}

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('POST') },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH') },
    ),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('/wechat') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('/wechat/', '/WECHAT', '/healthz', '/', '/wechat/../wechat', '//wechat'),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((segment) => `/${encodeURIComponent(segment)}`) },
    ),
    fc.constantFrom<Auth>('none', 'junk', 'plain', 'plain', 'safe', 'safe', 'safe-forged', 'stale'),
    junkQuery,
    bodyOf,
    messageXml,
    headers,
  )
  .map(([method, path, auth, junk, body, inner, requestHeaders]) =>
    assemble(method, path, auth, junk, body, inner, requestHeaders),
  );

/** A 200 answer to a message is either empty/success or a reply WeChat can read (encrypted when the request was). */
function expectReadableReply(request: FuzzRequest, body: string): void {
  if (body === '' || body === 'success') return;
  const xml =
    request.auth === 'safe'
      ? decrypt({ aesKey: AES_KEY, appId: APP_ID, encrypted: parseEncryptedReply(body).encrypt })
      : body;
  const reply = parseReplyXml(xml);
  expect(reply.fromUser).toBe(ACCOUNT);
}

describe('fuzz: the HTTP endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { keywords: [{ match: 'exact', pattern: 'ping', reply: { type: 'text', content: 'pong' } }] },
    });
  });
  afterAll(() => h.close());

  it('random requests: never a 5xx, never a hang, every 200 to a message readable', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const url = `${h.baseUrl}${request.path}${request.query ? `?${request.query}` : ''}`;
        const response = await rawRequest(url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined || request.method === 'GET' || request.method === 'HEAD'
            ? {}
            : { body: request.body }),
          timeoutMs: 4000,
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        if (request.method === 'POST' && request.path === '/wechat' && response.status === 200) {
          expectReadableReply(request, response.body);
        }
      }),
      fuzzParams(200),
    );
    // The run reached past verification (200s) and was refused in the usual ways too.
    expect(statuses.get(200)).toBeGreaterThan(10);
    expect([...statuses.keys()].some((status) => status === 400 || status === 401)).toBe(true);
  });

  it('malformed HTTP on the raw socket: answered with a 4xx or closed, never a 5xx, never left open', async () => {
    const port = Number(new URL(h.baseUrl).port);
    const line = fc.oneof(
      fc.stringMatching(/^[\x21-\x7e]{1,12}: [\x20-\x7e]{0,30}$/),
      fc.constantFrom('Content-Length: -1', 'Content-Length: 99999999999', 'Transfer-Encoding: chunked', 'Host:', ':'),
      fc.string({ maxLength: 30 }),
    );
    const bytes = fc
      .tuple(
        fc.constantFrom(
          'POST /wechat HTTP/1.1',
          'GET /wechat?signature=1 HTTP/1.1',
          'POST /wechat HTTP/1.0',
          'XYZ / HTTP/9',
        ),
        fc.array(line, { maxLength: 5 }),
        fc.oneof(anyString, markupString),
      )
      .map(([start, lines, body]) => `${start}\r\nHost: 127.0.0.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
    await fc.assert(
      fc.asyncProperty(bytes, async (raw) => {
        const { response, closed } = await rawExchange(port, raw, 3000);
        for (const status of statusCodes(response)) expect(status).toBeLessThan(500);
        // Either the server answered (and may keep the connection for more), or it closed it.
        expect(closed || statusCodes(response).length > 0).toBe(true);
      }),
      fuzzParams(60),
    );
  });

  it('is healthy afterwards: /healthz is ok and a real message gets its answer', async () => {
    const health = await rawRequest(`${h.baseUrl}/healthz`, { method: 'GET' });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const result = await h.send('ping');
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe('pong');
  });
});
