import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature } from '../../src/wechat/index.js';
import { ACCOUNT, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

/** A raw HTTP call, for inputs the simulator would never produce. */
function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/xml', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function signedQuery(timestamp = String(Math.floor(Date.now() / 1000)), nonce = '12345') {
  return `signature=${computeSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&openid=o1`;
}

const textXml = (content: string, msgId = String(Date.now())) =>
  `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${newUser()}]]></FromUserName>` +
  `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
  `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;

describe('webhook', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { keywords: [{ match: 'exact', pattern: 'ping', reply: { type: 'text', content: 'pong' } }] },
    });
  });
  afterAll(() => h.close());

  it('answers the URL check with echostr, and refuses a bad signature with 401', async () => {
    const ts = '1714036504';
    const good = await fetch(
      `${h.url}?signature=${computeSignature(TOKEN, ts, 'n1')}&timestamp=${ts}&nonce=n1&echostr=4375120948345356249`,
    );
    expect(good.status).toBe(200);
    expect(good.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await good.text()).toBe('4375120948345356249');

    const bad = await fetch(`${h.url}?signature=${'0'.repeat(40)}&timestamp=${ts}&nonce=n1&echostr=42`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toMatch(/SIGNATURE_INVALID.*Token/);

    const missing = await fetch(h.url);
    expect(missing.status).toBe(401);
    expect(await missing.text()).toMatch(/SIGNATURE_MISSING/);
  });

  it('refuses a forged or missing POST signature with 401', async () => {
    const forged = await post(
      `${h.url}?signature=${'a'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1`,
      textXml('ping'),
    );
    expect(forged.status).toBe(401);
    const missing = await post(`${h.url}?timestamp=1&nonce=1`, textXml('ping'));
    expect(missing.status).toBe(401);
  });

  it('refuses a replayed (old) timestamp', async () => {
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const res = await post(`${h.url}?${signedQuery(old)}`, textXml('ping'));
    expect(res.status).toBe(401);
    expect(res.body).toMatch(/TIMESTAMP_OUT_OF_WINDOW/);
  });

  it('answers malformed XML, a DOCTYPE and an oversize body with clear 4xx texts', async () => {
    const broken = await post(`${h.url}?${signedQuery()}`, '<xml><ToUserName>oops');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatch(/XML_/);

    const doctype = await post(
      `${h.url}?${signedQuery()}`,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>',
    );
    expect(doctype.status).toBe(400);
    expect(doctype.body).toMatch(/XML_FORBIDDEN/);

    const huge = await post(`${h.url}?${signedQuery()}`, Buffer.alloc(100 * 1024, 'a'));
    expect(huge.status).toBe(413);
    expect(huge.body).toMatch(/BODY_TOO_LARGE/);
  });

  it('refuses an encrypted message with a wrong msg_signature', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const body = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>`;
    const res = await post(`${h.url}?${signedQuery(ts)}&encrypt_type=aes&msg_signature=${'b'.repeat(40)}`, body);
    expect(res.status).toBe(401);
  });

  it('answers a plain text message with a signed-off reply, in each encryption mode', async () => {
    for (const mode of ['plain', 'compat', 'safe'] as const) {
      const result = await h.send('ping', { mode });
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.userSees).toBe('pong');
      expect(result.attempts).toHaveLength(1);
    }
  });

  it('serves /healthz with the store and model status, never the key', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'ok',
      store: { kind: 'memory', ok: true },
      llm: { configured: true, model: 'test-model' },
      delivery: 'passive',
    });
    expect(JSON.stringify(body)).not.toContain('sk-test');
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(h.url, { method: 'PUT' });
    expect(res.status).toBe(405);
  });
});
