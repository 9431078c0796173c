import { describe, expect, it } from 'vitest';
import {
  computeMsgSignature,
  computeSignature,
  safeEqual,
  sha1Sorted,
  verifyMsgSignature,
  verifySignature,
} from '../../src/wechat/index.js';
import vectors from '../vectors/signatures.json' with { type: 'json' };

describe('signature vectors', () => {
  for (const vector of vectors.signature) {
    it(`${vector.name}: matches, and its one-character-off twin fails`, () => {
      expect(computeSignature(vector.token, vector.timestamp, vector.nonce)).toBe(vector.signature);
      expect(verifySignature(vector)).toBe(true);
      expect(verifySignature({ ...vector, ...vector.twin })).toBe(false);
    });
  }

  for (const vector of vectors.msgSignature) {
    it(`${vector.name}: matches, and its one-character-off twin fails`, () => {
      expect(computeMsgSignature(vector.token, vector.timestamp, vector.nonce, vector.encrypt)).toBe(
        vector.msgSignature,
      );
      expect(verifyMsgSignature(vector)).toBe(true);
      expect(verifyMsgSignature({ ...vector, ...vector.twin })).toBe(false);
    });
  }
});

describe('sha1Sorted', () => {
  it('sorts in byte order, so the order of the parts does not matter', () => {
    expect(sha1Sorted(['b', 'a', 'c'])).toBe(sha1Sorted(['c', 'b', 'a']));
    expect(sha1Sorted(['b', 'a', 'c'])).toBe('a9993e364706816aba3e25717850c26c9cd0d89d'); // sha1("abc")
  });

  it('orders astral characters after U+FFFD by their UTF-8 bytes, not UTF-16 units', () => {
    // UTF-16 would put U+1F600 (surrogates D83D…) before U+FFFD; UTF-8 (F0…) puts it after (EF…).
    expect(sha1Sorted(['😀', '\uFFFD'])).toBe(sha1Sorted(['\uFFFD', '😀']));
    expect(sha1Sorted(['😀', '\uFFFD'])).toBe(sha1Sorted([`\uFFFD😀`]));
  });
});

describe('verification', () => {
  const good = { token: 'AAAAA', timestamp: '1714037059', nonce: '486452656' };
  const signature = '899cf89e464efb63f54ddac96b0a0a235f53aa78';

  it('refuses signatures of another length without throwing', () => {
    expect(verifySignature({ ...good, signature: signature.slice(0, -1) })).toBe(false);
    expect(verifySignature({ ...good, signature: `${signature}0` })).toBe(false);
    expect(verifySignature({ ...good, signature: '' })).toBe(false);
    expect(verifyMsgSignature({ ...good, encrypt: 'x', msgSignature: '' })).toBe(false);
  });

  it('is case-sensitive: WeChat sends lowercase hex', () => {
    expect(verifySignature({ ...good, signature: signature.toUpperCase() })).toBe(false);
  });

  it('safeEqual compares bytes, not code units', () => {
    expect(safeEqual('é', 'é')).toBe(true);
    expect(safeEqual('é', 'e\u0301')).toBe(false);
    expect(safeEqual('ab', 'a')).toBe(false);
  });
});
