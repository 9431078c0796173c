/** Token and EncodingAESKey: generate them like the WeChat console does, and say what is wrong with a bad one. */
import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % ALPHANUMERIC.length);

function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < UNBIASED_LIMIT) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A 32-character Token of [A-Za-z0-9] (the longest 服务器配置 accepts). */
export function generateToken(): string {
  return randomAlphanumeric(32);
}

/** A 43-character EncodingAESKey; any 43 alphanumerics decode (with "=") to a 32-byte key. */
export function generateEncodingAesKey(): string {
  return randomAlphanumeric(43);
}

/** Undefined when the Token is acceptable, otherwise what is wrong with it. */
export function validateToken(token: string): string | undefined {
  if (token.length < 3 || token.length > 32) return `Token must be 3–32 characters (got ${token.length}).`;
  if (!/^[A-Za-z0-9]+$/.test(token)) return 'Token may only contain letters and digits (A–Z, a–z, 0–9).';
  return undefined;
}

/** Undefined when the EncodingAESKey is acceptable, otherwise what is wrong with it. */
export function validateEncodingAesKey(key: string): string | undefined {
  if (key.length !== 43) return `EncodingAESKey must be exactly 43 characters (got ${key.length}).`;
  if (!/^[A-Za-z0-9]+$/.test(key)) return 'EncodingAESKey may only contain letters and digits (A–Z, a–z, 0–9).';
  if (Buffer.from(`${key}=`, 'base64').length !== 32) return 'EncodingAESKey does not decode to a 32-byte key.';
  return undefined;
}
