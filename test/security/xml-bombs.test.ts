/**
 * XML attacks, sent correctly signed (the attacker knows the Token) in plain and 安全模式: DOCTYPE, billion laughs,
 * quadratic blowup, external entities (XXE) and parameter entities are refused with 400 XML_FORBIDDEN before any
 * parsing; nothing is expanded, read or fetched, and the server keeps answering. Text that merely mentions a DOCTYPE
 * inside CDATA is an ordinary message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMsgSignature, computeSignature, encrypt, ProtocolError, parseMessage } from '../../src/wechat/index.js';
import { cdata } from '../../src/wechat/xml.js';
import { rawRequest } from '../faults/raw-http.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

const now = () => String(Math.floor(Date.now() / 1000));

function message(content: string): string {
  return (
    `<ToUserName>${cdata(ACCOUNT)}</ToUserName><FromUserName>${cdata(newUser())}</FromUserName>` +
    `<CreateTime>${now()}</CreateTime><MsgType>${cdata('text')}</MsgType>${content}<MsgId>${Date.now()}</MsgId>`
  );
}

const laughs = (levels: number) => {
  const entities = ['<!ENTITY lol0 "lol">'];
  for (let i = 1; i < levels; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return entities.join('');
};

const BOMBS: Record<string, string> = {
  'billion laughs': `<?xml version="1.0"?><!DOCTYPE xml [${laughs(10)}]><xml>${message('<Content>&lol9;</Content>')}</xml>`,
  'quadratic blowup': `<!DOCTYPE xml [<!ENTITY a "${'a'.repeat(20_000)}">]><xml>${message(`<Content>${'&a;'.repeat(1000)}</Content>`)}</xml>`,
  'external entity (XXE)': `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml>${message('<Content>&xxe;</Content>')}</xml>`,
  'external DTD over HTTP': `<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd"><xml>${message('<Content>x</Content>')}</xml>`,
  'parameter entities': `<!DOCTYPE xml [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]><xml>${message('<Content>x</Content>')}</xml>`,
  'lower-case doctype': `<!doctype xml [<!entity a "b">]><xml>${message('<Content>&a;</Content>')}</xml>`,
  'DOCTYPE after a comment and whitespace': `<!-- hi -->\n  <!DOCTYPE xml><xml>${message('<Content>x</Content>')}</xml>`,
  'ENTITY declared inside the root': `<xml><!ENTITY a "b">${message('<Content>&a;</Content>')}</xml>`,
};

describe('XML bombs and external entities', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const plain = (body: string) => {
    const t = now();
    return rawRequest(`${h.url}?signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1`, { body });
  };
  const safe = (inner: string) => {
    const t = now();
    const sealed = encrypt({ aesKey: AES_KEY, appId: APP_ID, message: inner });
    const query =
      `signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1&encrypt_type=aes` +
      `&msg_signature=${computeMsgSignature(TOKEN, t, '1', sealed)}`;
    return rawRequest(`${h.url}?${query}`, {
      body: `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName><Encrypt>${cdata(sealed)}</Encrypt></xml>`,
    });
  };

  for (const [name, bomb] of Object.entries(BOMBS)) {
    it(`${name}: 400 XML_FORBIDDEN in plain and 安全模式, nothing expanded`, async () => {
      for (const response of [await plain(bomb), await safe(bomb)]) {
        expect(response.status).toBe(400);
        expect(response.body).toMatch(/^XML_FORBIDDEN/);
        expect(response.body).not.toMatch(/lollol|root:|aaaaaaaaaa/);
      }
      // The parser itself refuses it too, whoever calls it.
      expect(() => parseMessage(bomb)).toThrow(ProtocolError);
    });
  }

  it('a DOCTYPE in the outer envelope of an encrypted message is refused before decryption', async () => {
    const t = now();
    const sealed = encrypt({
      aesKey: AES_KEY,
      appId: APP_ID,
      message: `<xml>${message('<Content>x</Content>')}</xml>`,
    });
    const query =
      `signature=${computeSignature(TOKEN, t, '1')}&timestamp=${t}&nonce=1&encrypt_type=aes` +
      `&msg_signature=${computeMsgSignature(TOKEN, t, '1', sealed)}`;
    const response = await rawRequest(`${h.url}?${query}`, {
      body: `<!DOCTYPE xml [<!ENTITY a "b">]><xml><Encrypt>${cdata(sealed)}</Encrypt></xml>`,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/^XML_FORBIDDEN/);
  });

  it('no bomb reached the model, and a DOCTYPE quoted inside CDATA is just text', async () => {
    expect(h.fake.calls).toBe(0);
    h.fake.script({ reply: 'that is HTML' });
    const result = await h.send('<!DOCTYPE html><!ENTITY a "b"> what is this?');
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe('that is HTML');
  });

  it('deeply nested and very wide documents fail typed or parse, without exhausting the stack', () => {
    const deep = `<xml>${message('')}${'<a>'.repeat(9000)}x${'</a>'.repeat(9000)}</xml>`;
    const wide = `<xml>${message('<Content>x</Content>')}${'<b/>'.repeat(15_000)}</xml>`;
    for (const document of [deep, wide]) {
      try {
        expect(parseMessage(document).type).toBe('text');
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }
  });
});
