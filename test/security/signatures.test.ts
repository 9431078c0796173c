/**
 * Only WeChat gets in: forged or missing signatures (plain `signature` and 安全模式 `msg_signature`), an old or future
 * timestamp (replay), and an encrypted body swapped under a valid signature are refused with 401 before any work,
 * and the refusal never reveals the expected signature or the Token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computeMsgSignature, computeSignature, encrypt } from '../../src/wechat/index.js';
import { cdata } from '../../src/wechat/xml.js';
import { type RawResponse, rawRequest } from '../faults/raw-http.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

const now = () => Math.floor(Date.now() / 1000);

const messageXml = (content: string, msgId = String(Date.now())) =>
  `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName><FromUserName>${cdata(newUser())}</FromUserName>` +
  `<CreateTime>${now()}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content>` +
  `<MsgId>${msgId}</MsgId></xml>`;

const envelope = (sealed: string) =>
  `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName><Encrypt>${cdata(sealed)}</Encrypt></xml>`;

describe('signatures and replay', () => {
  let h: Harness;
  const responses: RawResponse[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    // Nothing refused may have reached the bot or the model.
    expect(h.records).toEqual([]);
    expect(h.fake.calls).toBe(0);
  });
  afterAll(async () => {
    // No refusal tells the caller what the right signature would have been, or anything of the Token.
    for (const response of responses) {
      expect(response.body).not.toContain(TOKEN);
      expect(response.body).not.toMatch(/[0-9a-f]{40}/);
    }
    await h.close();
  });

  async function post(query: string, body: string, expected: RegExp, status = 401): Promise<void> {
    const response = await rawRequest(`${h.url}?${query}`, { body, headers: { 'Content-Type': 'text/xml' } });
    responses.push(response);
    expect(response.status).toBe(status);
    expect(response.body).toMatch(expected);
  }

  describe('plain mode (signature)', () => {
    const ts = () => String(now());
    const sign = (token: string, timestamp: string, nonce: string) =>
      `signature=${computeSignature(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`;

    it('refuses a missing signature, timestamp or nonce', async () => {
      const t = ts();
      await post(`timestamp=${t}&nonce=1`, messageXml('hi'), /SIGNATURE_MISSING/);
      await post(`signature=${computeSignature(TOKEN, t, '1')}&nonce=1`, messageXml('hi'), /SIGNATURE_MISSING/);
      await post(`signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}`, messageXml('hi'), /SIGNATURE_MISSING/);
      await post('', messageXml('hi'), /SIGNATURE_MISSING/);
    });

    it('refuses forged signatures: random, another Token, another nonce, upper-case, truncated, padded', async () => {
      const t = ts();
      const good = computeSignature(TOKEN, t, '7');
      const forged = [
        'a'.repeat(40),
        computeSignature('otherToken1', t, '7'),
        computeSignature(TOKEN, t, '8'),
        good.toUpperCase(),
        good.slice(0, 39),
        `${good}0`,
        `${good.slice(0, 39)}${good.at(-1) === '0' ? '1' : '0'}`,
        '',
      ];
      for (const signature of forged) {
        await post(`signature=${signature}&timestamp=${t}&nonce=7`, messageXml('hi'), /SIGNATURE_(INVALID|MISSING)/);
      }
    });

    it('refuses an old or a future timestamp even when correctly signed (replay)', async () => {
      for (const skew of [-301, -3600, -86_400 * 365, 301, 3600]) {
        const t = String(now() + skew);
        await post(sign(TOKEN, t, '9'), messageXml('hi'), /TIMESTAMP_OUT_OF_WINDOW/);
      }
      for (const t of ['0', '-1', 'NaN', '1e10', '17141124459999', ' ']) {
        await post(sign(TOKEN, t, '9'), messageXml('hi'), /TIMESTAMP_OUT_OF_WINDOW|SIGNATURE_MISSING/);
      }
    });

    it('refuses a forged URL check (GET)', async () => {
      const t = ts();
      const response = await rawRequest(
        `${h.url}?signature=${'0'.repeat(40)}&timestamp=${t}&nonce=1&echostr=secret42`,
        {
          method: 'GET',
        },
      );
      responses.push(response);
      expect(response.status).toBe(401);
      expect(response.body).not.toContain('secret42');
    });
  });

  describe('安全模式 (msg_signature)', () => {
    const signedQuery = (timestamp: string, nonce: string, msgSignature: string) =>
      `signature=${computeSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}` +
      `&encrypt_type=aes&msg_signature=${msgSignature}`;

    it('refuses a missing or forged msg_signature, even with a valid plain signature', async () => {
      const t = String(now());
      const sealed = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: messageXml('hi') });
      const body = envelope(sealed);
      const base = `signature=${computeSignature(TOKEN, t, '5')}&timestamp=${t}&nonce=5&encrypt_type=aes`;
      await post(base, body, /SIGNATURE_MISSING/);
      for (const forged of [
        'b'.repeat(40),
        computeSignature(TOKEN, t, '5'),
        computeMsgSignature('otherToken1', t, '5', sealed),
        computeMsgSignature(TOKEN, t, '6', sealed),
      ]) {
        await post(signedQuery(t, '5', forged), body, /SIGNATURE_INVALID/);
      }
    });

    it('refuses a ciphertext swapped under a valid msg_signature', async () => {
      const t = String(now());
      const signedFor = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: messageXml('harmless') });
      const swapped = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: messageXml('injected') });
      await post(
        signedQuery(t, '5', computeMsgSignature(TOKEN, t, '5', signedFor)),
        envelope(swapped),
        /SIGNATURE_INVALID/,
      );
    });

    it('refuses an old timestamp under a valid msg_signature (replay)', async () => {
      const t = String(now() - 3600);
      const sealed = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: messageXml('hi') });
      await post(
        signedQuery(t, '5', computeMsgSignature(TOKEN, t, '5', sealed)),
        envelope(sealed),
        /TIMESTAMP_OUT_OF_WINDOW/,
      );
    });
  });
});

describe('a valid request replayed within the window', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('is the same message (deduped on MsgId): the same answer, no second model call', async () => {
    const t = String(now());
    const query = `signature=${computeSignature(TOKEN, t, '3')}&timestamp=${t}&nonce=3`;
    const body = messageXml('replayed question', '24567890123456777');
    const first = await rawRequest(`${h.url}?${query}`, { body });
    const again = await rawRequest(`${h.url}?${query}`, { body });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.replace(/<CreateTime>\d+/, '')).toBe(first.body.replace(/<CreateTime>\d+/, ''));
    expect(h.fake.calls).toBe(1);
  });
});
