/** WeChat's request signatures: SHA-1 over the sorted parts, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Byte order, as WeChat sorts; differs from JS's UTF-16 order only outside the BMP, but the rule is bytes. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** sha1(sort(parts).join('')) as lowercase hex: the one rule behind every WeChat signature. */
export function sha1Sorted(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort(compareBytes).join(''), 'utf8')
    .digest('hex');
}

/** The `signature` query parameter: URL check (GET) and every POST. */
export function computeSignature(token: string, timestamp: string, nonce: string): string {
  return sha1Sorted([token, timestamp, nonce]);
}

/** The `msg_signature` of 兼容模式/安全模式 requests and of encrypted replies: it also covers the Encrypt text. */
export function computeMsgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1Sorted([token, timestamp, nonce, encrypt]);
}

/** Constant-time equality; a length mismatch is simply false (timingSafeEqual throws on it). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface SignatureInput {
  token: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

export function verifySignature({ token, timestamp, nonce, signature }: SignatureInput): boolean {
  return safeEqual(computeSignature(token, timestamp, nonce), signature);
}

export interface MsgSignatureInput {
  token: string;
  timestamp: string;
  nonce: string;
  encrypt: string;
  msgSignature: string;
}

export function verifyMsgSignature({ token, timestamp, nonce, encrypt, msgSignature }: MsgSignatureInput): boolean {
  return safeEqual(computeMsgSignature(token, timestamp, nonce, encrypt), msgSignature);
}
