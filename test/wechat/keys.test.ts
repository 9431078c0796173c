import { describe, expect, it } from 'vitest';
import {
  decodeAesKey,
  generateEncodingAesKey,
  generateToken,
  validateEncodingAesKey,
  validateToken,
} from '../../src/wechat/index.js';

describe('generated credentials', () => {
  it('tokens are 32 alphanumerics, different every time, and valid', () => {
    const tokens = new Set(Array.from({ length: 50 }, generateToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(validateToken(token)).toBeUndefined();
    }
  });

  it('EncodingAESKeys are 43 alphanumerics that decode to 32 bytes', () => {
    for (let i = 0; i < 50; i++) {
      const key = generateEncodingAesKey();
      expect(key).toMatch(/^[A-Za-z0-9]{43}$/);
      expect(validateEncodingAesKey(key)).toBeUndefined();
      expect(decodeAesKey(key)).toHaveLength(32);
    }
  });

  it('uses the whole alphabet (no bias towards a subset)', () => {
    const chars = new Set(Array.from({ length: 100 }, generateEncodingAesKey).join(''));
    expect(chars.size).toBe(62);
  });
});

describe('validateToken', () => {
  it.each(['abc', 'A'.repeat(32), 'wechat2024'])('accepts %s', (token) => {
    expect(validateToken(token)).toBeUndefined();
  });

  it.each([
    ['ab', /3–32/],
    ['A'.repeat(33), /3–32/],
    ['', /3–32/],
    ['has space', /letters and digits/],
    ['tok-en', /letters and digits/],
    ['令牌令牌', /letters and digits/],
  ])('refuses %j and says why', (token, why) => {
    expect(validateToken(token)).toMatch(why);
  });
});

describe('validateEncodingAesKey', () => {
  it.each([
    ['A'.repeat(42), /exactly 43/],
    ['A'.repeat(44), /exactly 43/],
    [`${'A'.repeat(42)}/`, /letters and digits/],
    [`${'A'.repeat(42)}=`, /letters and digits/],
  ])('refuses %j and says why', (key, why) => {
    expect(validateEncodingAesKey(key)).toMatch(why);
  });
});
