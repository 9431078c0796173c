import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildEncryptedReply,
  createCipher,
  DecryptError,
  decodeAesKey,
  decrypt,
  encrypt,
  ProtocolError,
  parseEncryptedReply,
  verifyMsgSignature,
} from '../../src/wechat/index.js';
import vectors from '../vectors/crypto.json' with { type: 'json' };

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const aesKey = decodeAesKey(KEY);

/** Catches what decrypt throws, to compare errors across tamperings. */
function decryptError(encrypted: string, appId = APP_ID): unknown {
  try {
    decrypt({ aesKey, appId, encrypted });
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Builds a ciphertext from a chosen plaintext frame, padded by hand: tests the checks behind the padding. */
function sealRaw(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function openRaw(encrypted: string): Buffer {
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
}

function frame(message: string, appId: string, random = Buffer.alloc(16, 7)): Buffer {
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([random, length, body, Buffer.from(appId)]);
}

function pad(data: Buffer, value = 32 - (data.length % 32)): Buffer {
  return Buffer.concat([data, Buffer.alloc(value, value)]);
}

describe('official vectors', () => {
  for (const vector of vectors.decrypt) {
    it(`decrypts ${vector.name} exactly (random prefix ${vector.random}); the twin fails`, () => {
      const message = decrypt({ aesKey: vector.encodingAesKey, appId: vector.appId, encrypted: vector.encrypt });
      expect(message).toBe(vector.message);
      expect(Buffer.byteLength(message)).toBe(vector.messageBytes);
      const key = decodeAesKey(vector.encodingAesKey);
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      decipher.setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(Buffer.from(vector.encrypt, 'base64')), decipher.final()]);
      expect(plain.subarray(0, 16).toString('latin1')).toBe(vector.random);

      const twin: { encrypt?: string; appId?: string } = vector.twin;
      expect(() =>
        decrypt({
          aesKey: vector.encodingAesKey,
          appId: twin.appId ?? vector.appId,
          encrypted: twin.encrypt ?? vector.encrypt,
        }),
      ).toThrow(DecryptError);
    });
  }

  for (const vector of vectors.encrypt) {
    it(`encrypts ${vector.name} byte for byte, with its MsgSignature; the twin differs`, () => {
      const input = { aesKey: vector.encodingAesKey, appId: vector.appId, message: vector.message };
      expect(encrypt({ ...input, random: Buffer.from(vector.random, 'latin1') })).toBe(vector.encrypt);
      expect(encrypt({ ...input, random: Buffer.from(vector.twin.random, 'latin1') })).not.toBe(vector.encrypt);

      const envelope = buildEncryptedReply({
        token: vector.token,
        aesKey: vector.encodingAesKey,
        appId: vector.appId,
        xml: vector.message,
        nonce: vector.nonce,
        timestamp: vector.timestamp,
        random: Buffer.from(vector.random, 'latin1'),
      });
      expect(envelope).toBe(
        `<xml><Encrypt><![CDATA[${vector.encrypt}]]></Encrypt><MsgSignature><![CDATA[${vector.msgSignature}]]></MsgSignature>` +
          `<TimeStamp>${vector.timestamp}</TimeStamp><Nonce><![CDATA[${vector.nonce}]]></Nonce></xml>`,
      );
      expect(parseEncryptedReply(envelope)).toEqual({
        encrypt: vector.encrypt,
        msgSignature: vector.msgSignature,
        timestamp: vector.timestamp,
        nonce: vector.nonce,
      });
    });
  }
});

describe('decodeAesKey', () => {
  it('decodes 43 alphanumerics to 32 bytes, even with non-zero trailing bits', () => {
    expect(decodeAesKey('A'.repeat(43))).toEqual(Buffer.alloc(32));
    expect(decodeAesKey(KEY)).toHaveLength(32);
  });

  it.each([
    ['too short', 'A'.repeat(42)],
    ['too long', 'A'.repeat(44)],
    ['padded', `${'A'.repeat(42)}=`],
    ['non-alphanumeric', `${'A'.repeat(42)}+`],
    ['empty', ''],
  ])('refuses a key that is %s with KEY_INVALID', (_label, key) => {
    expect(() => decodeAesKey(key)).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'KEY_INVALID' }));
  });

  it('refuses a raw key that is not 32 bytes', () => {
    expect(() => encrypt({ aesKey: Buffer.alloc(16), appId: APP_ID, message: 'x' })).toThrow(ProtocolError);
  });
});

describe('round trips', () => {
  const alphabets = { chinese: '你好世界微信公众号', emoji: '😀🎉👍🏽🇨🇳', mixed: 'aé你😀b\n' };

  for (const [name, alphabet] of Object.entries(alphabets)) {
    it(`${name} text of every UTF-8 byte length 0..100 survives, padded to 32-byte blocks`, () => {
      const seen = new Set<number>();
      const chars = [...alphabet];
      let text = '';
      for (let i = 0; Buffer.byteLength(text) <= 100; i++) {
        const bytes = Buffer.byteLength(text);
        seen.add(bytes);
        const sealed = encrypt({ aesKey, appId: APP_ID, message: text });
        const raw = Buffer.from(sealed, 'base64');
        expect(raw.length % 32).toBe(0);
        // 20 header bytes + message + AppID, then 1..32 bytes of pad
        expect(raw.length - (20 + bytes + APP_ID.length)).toBeGreaterThanOrEqual(1);
        expect(raw.length - (20 + bytes + APP_ID.length)).toBeLessThanOrEqual(32);
        expect(decrypt({ aesKey, appId: APP_ID, encrypted: sealed })).toBe(text);
        text += chars[i % chars.length];
      }
      expect(seen.size).toBeGreaterThan(20);
    });
  }

  it('covers every byte length 0..100 exactly (ASCII fills the gaps multi-byte text skips)', () => {
    for (let length = 0; length <= 100; length++) {
      const text = 'x'.repeat(length);
      const sealed = encrypt({ aesKey, appId: APP_ID, message: text });
      expect(decrypt({ aesKey, appId: APP_ID, encrypted: sealed })).toBe(text);
    }
  });

  it('pads a frame that is already a multiple of 32 with a full block of 32', () => {
    // 20 header bytes + 26 message bytes + 18 AppID bytes = 64: no partial block, so a whole block of pad.
    const message = 'm'.repeat(64 - 20 - APP_ID.length);
    const plain = openRaw(encrypt({ aesKey, appId: APP_ID, message }));
    expect(plain.length).toBe(96);
    expect([...plain.subarray(64)]).toEqual(Array(32).fill(32));
  });

  it('createCipher decodes the key once and round-trips', () => {
    const cipher = createCipher({ encodingAesKey: KEY, appId: APP_ID });
    const sealed = cipher.encrypt('<xml>你好</xml>', Buffer.alloc(16, 1));
    expect(sealed).toBe(
      encrypt({ aesKey: KEY, appId: APP_ID, message: '<xml>你好</xml>', random: Buffer.alloc(16, 1) }),
    );
    expect(cipher.decrypt(sealed)).toBe('<xml>你好</xml>');
  });

  it('uses a fresh random prefix by default', () => {
    const a = encrypt({ aesKey, appId: APP_ID, message: 'same' });
    const b = encrypt({ aesKey, appId: APP_ID, message: 'same' });
    expect(a).not.toBe(b);
  });
});

describe('tampering: every failure is the same DecryptError', () => {
  const good = sealRaw(pad(frame('hello 你好', APP_ID)));

  const tampered: Record<string, string> = {
    'not base64': '!!!!',
    'base64 with whitespace': ` ${good}`,
    'truncated base64': good.slice(0, -1),
    empty: '',
    'not a multiple of the AES block': Buffer.from(openRaw(good).subarray(0, 40)).toString('base64'),
    'last ciphertext block flipped': (() => {
      const raw = Buffer.from(good, 'base64');
      raw[raw.length - 1]! ^= 1;
      return raw.toString('base64');
    })(),
    'pad value 0': sealRaw(Buffer.concat([frame('hello', APP_ID), Buffer.alloc(64 - 43, 0)])),
    // 63-byte frame + 33 bytes of 33: a consistent pad, but longer than WeChat's 32-byte block allows
    'pad value 33': sealRaw(pad(frame('x'.repeat(25), APP_ID), 33)),
    'pad bytes unequal': (() => {
      const padded = pad(frame('hello 你好', APP_ID));
      padded[padded.length - 2]! ^= 1;
      return sealRaw(padded);
    })(),
    'length field past the end': (() => {
      const raw = frame('hello', APP_ID);
      raw.writeUInt32BE(10_000, 16);
      return sealRaw(pad(raw));
    })(),
    'length field of 2^32-1': (() => {
      const raw = frame('hello', APP_ID);
      raw.writeUInt32BE(0xffffffff, 16);
      return sealRaw(pad(raw));
    })(),
    'frame shorter than its header': sealRaw(pad(Buffer.alloc(10, 1))),
    'another AppID': sealRaw(pad(frame('hello', 'wx0000000000000000'))),
    'AppID one character off': sealRaw(pad(frame('hello', `${APP_ID.slice(0, -1)}g`))),
    'no AppID': sealRaw(pad(frame('hello', ''))),
    'invalid UTF-8 message': (() => {
      const raw = frame('hello', APP_ID);
      raw[20] = 0xff;
      return sealRaw(pad(raw));
    })(),
    'another key': encrypt({ aesKey: 'B'.repeat(43), appId: APP_ID, message: 'hello' }),
  };

  it('the untampered hand-built frames decrypt (the tamperings below change one thing each)', () => {
    expect(decrypt({ aesKey, appId: APP_ID, encrypted: good })).toBe('hello 你好');
    expect(decrypt({ aesKey, appId: APP_ID, encrypted: sealRaw(pad(frame('x'.repeat(25), APP_ID))) })).toBe(
      'x'.repeat(25),
    );
    expect(decrypt({ aesKey, appId: APP_ID, encrypted: sealRaw(pad(frame('', APP_ID))) })).toBe('');
  });

  const reference = decryptError(tampered['another AppID']!) as DecryptError;
  for (const [name, encrypted] of Object.entries(tampered)) {
    it(`${name}: DECRYPT_FAILED with the one generic message`, () => {
      const error = decryptError(encrypted);
      expect(error).toBeInstanceOf(DecryptError);
      expect(error).toMatchObject({
        code: 'DECRYPT_FAILED',
        status: 400,
        message: reference.message,
        hint: reference.hint,
      });
      expect((error as Error).cause).toBeUndefined();
    });
  }
});

describe('encrypted reply envelope', () => {
  it('is signed over its own Encrypt, TimeStamp and the echoed Nonce', () => {
    const xml = '<xml><Content><![CDATA[hi]]></Content></xml>';
    const envelope = buildEncryptedReply({
      token: 'tok123',
      aesKey,
      appId: APP_ID,
      xml,
      nonce: '987',
      timestamp: 1714112445,
    });
    const parsed = parseEncryptedReply(envelope);
    expect(parsed.timestamp).toBe('1714112445');
    expect(parsed.nonce).toBe('987');
    expect(verifyMsgSignature({ token: 'tok123', ...parsed })).toBe(true);
    expect(decrypt({ aesKey, appId: APP_ID, encrypted: parsed.encrypt })).toBe(xml);
  });

  it('parseEncryptedReply names the missing field', () => {
    expect(() => parseEncryptedReply('<xml><Encrypt>x</Encrypt></xml>')).toThrow(/MsgSignature/);
    expect(() => parseEncryptedReply('not xml')).toThrow(ProtocolError);
  });
});
