/**
 * Fuzzing 安全模式: decrypt meets random and mutated base64 and only ever returns a string or throws the one
 * DecryptError; encrypt/decrypt and the encrypted reply envelope round-trip any UTF-8 text for any AppID.
 */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildEncryptedReply,
  buildReplyXml,
  createCipher,
  DecryptError,
  decodeAesKey,
  decrypt,
  encrypt,
  parseEncryptedReply,
  parseReplyXml,
  verifyMsgSignature,
} from '../../src/wechat/index.js';
import { fuzzParams, xmlText } from './arbitraries.js';

const ENCODING_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const aesKey = decodeAesKey(ENCODING_AES_KEY);
const APP_ID = 'wx1234567890abcdef';

/** UTF-8 text of every kind: code points (astral too), graphemes, composite graphemes (ZWJ emoji, combining marks). */
const utf8Text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 3000 }),
);
const anyAppId = fc.oneof(
  fc.stringMatching(/^wx[0-9a-f]{16}$/),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Decrypts; DecryptError is the only acceptable failure, and it never tells which check tripped. */
function decryptOrRefuse(encrypted: string, appId = APP_ID): string | DecryptError {
  try {
    return decrypt({ aesKey, appId, encrypted });
  } catch (error) {
    if (!(error instanceof DecryptError)) throw error;
    expect(error.message).toBe('The encrypted message could not be decrypted.');
    expect(error.status).toBe(400);
    return error;
  }
}

/** AES-256-CBC of raw bytes with WeChat's key-derived IV, no padding added: to build frames with chosen flaws. */
function sealRaw(plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe('fuzz: decrypt', () => {
  it('random base64 of any length, and random text: a string or DecryptError', () => {
    const input = fc.oneof(
      fc.base64String({ maxLength: 400 }),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.string({ maxLength: 100 }),
      fc.constantFrom('', '=', '====', 'A===', 'AAAA', '\u0000'.repeat(16)),
    );
    fc.assert(
      fc.property(input, (encrypted) => {
        decryptOrRefuse(encrypted);
      }),
      fuzzParams(500),
    );
  });

  it('random whole blocks (so AES runs and the padding and frame checks see garbage): DecryptError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.uint8Array({ minLength: 256, maxLength: 256 }),
        (blocks, bytes) => {
          const result = decryptOrRefuse(Buffer.from(bytes.subarray(0, blocks * 16)).toString('base64'));
          // 16 random bytes decrypting to a valid pad, length and AppID by chance is not a thing that happens.
          expect(result).toBeInstanceOf(DecryptError);
        },
      ),
      fuzzParams(300),
    );
  });

  it('frames with a chosen flaw: bad pad values, a length past the end, a wrong AppID: DecryptError', () => {
    const frame = fc.record({
      message: fc.string({ unit: 'grapheme', maxLength: 60 }),
      appId: fc.oneof(fc.constant(APP_ID), fc.string({ maxLength: 20 })),
      /** undefined: the true length. */
      declared: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: undefined }),
      /** undefined: the right pad value. */
      pad: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      mixed: fc.boolean(),
    });
    fc.assert(
      fc.property(frame, ({ message, appId, declared, pad, mixed }) => {
        const body = Buffer.from(message, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32BE(declared ?? body.length);
        const unpadded = Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(appId, 'utf8')]);
        const padLength = 32 - (unpadded.length % 32);
        const padding = Buffer.alloc(padLength, pad ?? padLength);
        const tampered = mixed && padLength > 1;
        if (tampered) padding[0] = (padding[0]! + 1) % 256;
        const result = decryptOrRefuse(sealRaw(Buffer.concat([unpadded, padding])));
        const valid =
          (pad ?? padLength) === padLength &&
          !tampered &&
          (declared ?? body.length) === body.length &&
          appId === APP_ID;
        if (valid) expect(result).toBe(message);
        else expect(result).toBeInstanceOf(DecryptError);
      }),
      fuzzParams(400),
    );
  });

  it('a real ciphertext with flipped bits, bytes cut or added: a string or DecryptError', () => {
    const sealed = Buffer.from(
      encrypt({ aesKey, appId: APP_ID, message: '<xml><Content>你好</Content></xml>' }),
      'base64',
    );
    const mutation = fc.oneof(
      fc.tuple(fc.nat({ max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
        const copy = Buffer.from(sealed);
        copy[at] = copy[at]! ^ mask;
        return copy;
      }),
      fc.nat({ max: sealed.length }).map((cut) => sealed.subarray(0, cut)),
      fc.uint8Array({ minLength: 1, maxLength: 32 }).map((extra) => Buffer.concat([sealed, extra])),
    );
    fc.assert(
      fc.property(mutation, (mutated) => {
        decryptOrRefuse(mutated.toString('base64'));
      }),
      fuzzParams(400),
    );
  });
});

describe('fuzz: round trips', () => {
  it('encrypt → decrypt returns any UTF-8 string, for any AppID', () => {
    fc.assert(
      fc.property(utf8Text, anyAppId, (message, appId) => {
        // A lone surrogate is not UTF-8: encrypting writes U+FFFD, which is what must come back.
        const expected = Buffer.from(message, 'utf8').toString('utf8');
        expect(decrypt({ aesKey, appId, encrypted: encrypt({ aesKey, appId, message }) })).toBe(expected);
        const cipher = createCipher({ encodingAesKey: ENCODING_AES_KEY, appId });
        expect(cipher.decrypt(cipher.encrypt(message))).toBe(expected);
      }),
      fuzzParams(300),
    );
  });

  it('an encrypted reply: signed, decrypts with the AppID, and parses back to the reply that was built', () => {
    fc.assert(
      fc.property(
        xmlText.filter((text) => text.trim() !== ''),
        fc.stringMatching(/^[0-9]{1,10}$/),
        (content, nonce) => {
          const xml = buildReplyXml({ type: 'text', content }, { toUser: 'oUser', fromUser: 'gh_1', createTime: 1 });
          const envelope = parseEncryptedReply(
            buildEncryptedReply({ token: 'tok123', aesKey, appId: APP_ID, xml, nonce, timestamp: 1714112445 }),
          );
          expect(envelope).toMatchObject({ nonce, timestamp: '1714112445' });
          expect(verifyMsgSignature({ token: 'tok123', ...envelope })).toBe(true);
          const opened = decrypt({ aesKey, appId: APP_ID, encrypted: envelope.encrypt });
          expect(parseReplyXml(opened)).toEqual({
            type: 'text',
            content,
            toUser: 'oUser',
            fromUser: 'gh_1',
            createTime: 1,
          });
          // Addressed to another account, the same envelope does not open.
          expect(decryptOrRefuse(envelope.encrypt, 'wx0000000000000000')).toBeInstanceOf(DecryptError);
        },
      ),
      fuzzParams(200),
    );
  });
});
