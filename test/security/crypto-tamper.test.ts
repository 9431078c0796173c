/**
 * 安全模式 tampering by someone who knows the Token but not the EncodingAESKey (so the msg_signature is valid): a
 * message sealed for another AppID, padding bytes changed, a length field past the end, truncated or re-padded
 * ciphertext. All are refused with the same 400 and the same words (no padding oracle), nothing reaches the bot, and
 * the plaintext fields of 兼容模式 never override what was encrypted.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessageXml,
  computeMsgSignature,
  computeSignature,
  decodeAesKey,
  encrypt,
} from '../../src/wechat/index.js';
import { cdata } from '../../src/wechat/xml.js';
import { rawRequest } from '../faults/raw-http.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

const key = decodeAesKey(AES_KEY);
const iv = key.subarray(0, 16);

function aes(data: Buffer, direction: 'seal' | 'open'): Buffer {
  const cipher =
    direction === 'seal' ? createCipheriv('aes-256-cbc', key, iv) : createDecipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

const textMessage = (content: string) =>
  buildMessageXml({
    type: 'text',
    toUser: ACCOUNT,
    fromUser: newUser(),
    createTime: Math.floor(Date.now() / 1000),
    content,
    msgId: String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))),
  });

/** Rewrites the decrypted frame (what an attacker with the key could do; here it stands for a blind bit-flipper). */
function reframe(sealed: string, edit: (plain: Buffer) => Buffer): string {
  return aes(edit(aes(Buffer.from(sealed, 'base64'), 'open')), 'seal').toString('base64');
}

describe('tampered 安全模式 messages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { keywords: [{ match: 'exact', pattern: 'ping', reply: { type: 'text', content: 'pong' } }] },
    });
  });
  afterAll(() => h.close());

  /** Posts a ciphertext under a valid signature and msg_signature, as a Token holder could. */
  function postSealed(sealed: string, extraFields = '') {
    const t = String(Math.floor(Date.now() / 1000));
    const query =
      `signature=${computeSignature(TOKEN, t, '4')}&timestamp=${t}&nonce=4&encrypt_type=aes` +
      `&msg_signature=${computeMsgSignature(TOKEN, t, '4', sealed)}`;
    const body = `<xml><ToUserName>${cdata(ACCOUNT)}</ToUserName>${extraFields}<Encrypt>${cdata(sealed)}</Encrypt></xml>`;
    return rawRequest(`${h.url}?${query}`, { body });
  }

  const genuine = () => encrypt({ aesKey: AES_KEY, appId: APP_ID, message: textMessage('ping') });

  const tampered: Record<string, () => string> = {
    'sealed for another AppID': () =>
      encrypt({ aesKey: AES_KEY, appId: 'wx0000000000000000', message: textMessage('ping') }),
    'sealed for an AppID that extends ours': () =>
      encrypt({ aesKey: AES_KEY, appId: `${APP_ID}x`, message: textMessage('ping') }),
    'sealed with another EncodingAESKey': () =>
      encrypt({ aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', appId: APP_ID, message: textMessage('ping') }),
    'last padding byte changed': () =>
      reframe(genuine(), (plain) => {
        plain[plain.length - 1] = plain[plain.length - 1]! === 32 ? 31 : 32;
        return plain;
      }),
    'one padding byte inside the pad changed': () =>
      reframe(genuine(), (plain) => {
        const pad = plain[plain.length - 1]!;
        if (pad > 1) plain[plain.length - pad] = (pad + 1) % 256;
        else plain[plain.length - 1] = 0;
        return plain;
      }),
    'padding value 0': () =>
      reframe(genuine(), (plain) => {
        plain[plain.length - 1] = 0;
        return plain;
      }),
    'length field past the end': () =>
      reframe(genuine(), (plain) => {
        plain.writeUInt32BE(0x7fffffff, 16);
        return plain;
      }),
    'last block dropped': () => Buffer.from(genuine(), 'base64').subarray(0, -16).toString('base64'),
    'a block appended': () => Buffer.concat([Buffer.from(genuine(), 'base64'), Buffer.alloc(16, 1)]).toString('base64'),
    'not a whole block': () => Buffer.from(genuine(), 'base64').subarray(0, -5).toString('base64'),
    'not base64': () => `${genuine().slice(0, -4)}!!!!`,
  };

  it('each is refused with the same 400 DECRYPT_FAILED and the same words, and nothing reaches the bot', async () => {
    const bodies = new Set<string>();
    for (const [name, make] of Object.entries(tampered)) {
      const response = await postSealed(make());
      expect(response.status, name).toBe(400);
      bodies.add(response.body);
    }
    expect([...bodies]).toHaveLength(1);
    expect([...bodies][0]).toMatch(/^DECRYPT_FAILED: The encrypted message could not be decrypted\./);
    expect(h.records).toEqual([]);
  });

  it('the genuine message still opens (the refusals are about the tampering, not the setup)', async () => {
    const response = await postSealed(genuine());
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^<xml><Encrypt>/);
  });

  it('兼容模式: plaintext fields beside <Encrypt> are ignored in favour of the encrypted message', async () => {
    const forgedPlain =
      `<FromUserName>${cdata('oAttacker')}</FromUserName><MsgType>${cdata('text')}</MsgType>` +
      `<Content>${cdata('/reset')}</Content><MsgId>1</MsgId>`;
    const response = await postSealed(genuine(), forgedPlain);
    expect(response.status).toBe(200);
    const record = h.records.at(-1);
    expect(record).toMatchObject({ preview: 'ping', replyPreview: 'pong' });
    expect(record?.openid).not.toBe('oAttacker');
  });
});
