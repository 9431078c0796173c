/**
 * 安全模式 message encryption: AES-256-CBC with the IV taken from the key, a 32-byte PKCS#7 pad and the
 * `random(16) ‖ length(4, BE) ‖ msg ‖ appid` framing. Every decrypt failure is one and the same DecryptError.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptError, ProtocolError } from './errors.js';
import { computeMsgSignature } from './signature.js';
import { cdata, parseXmlDocument } from './xml.js';

/** WeChat pads to 32 bytes, not to AES's 16: a full block of 32 when the length is already a multiple. */
const PAD_BLOCK = 32;
const AES_BLOCK = 16;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** EncodingAESKey (43 chars) → the 32-byte AES key. Throws KEY_INVALID with what to fix. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new ProtocolError(
      'KEY_INVALID',
      `EncodingAESKey must be 43 letters or digits (got ${encodingAesKey.length}).`,
      {
        hint: 'Copy EncodingAESKey again from 服务器配置 (or generate one there) into WECHAT_AES_KEY.',
      },
    );
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) {
    throw new ProtocolError('KEY_INVALID', 'EncodingAESKey does not decode to a 32-byte AES key.', {
      hint: 'Copy EncodingAESKey again from 服务器配置 into WECHAT_AES_KEY.',
    });
  }
  return key;
}

/** Accepts the raw key or the EncodingAESKey, so the hot path can decode once and callers need not care. */
function toKey(aesKey: Buffer | string): Buffer {
  if (typeof aesKey === 'string') return decodeAesKey(aesKey);
  if (aesKey.length !== 32) {
    throw new ProtocolError('KEY_INVALID', `The AES key must be 32 bytes (got ${aesKey.length}).`, {
      hint: 'Pass the EncodingAESKey string, or the result of decodeAesKey().',
    });
  }
  return aesKey;
}

function pkcs7Pad(data: Buffer): Buffer {
  const pad = PAD_BLOCK - (data.length % PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

export interface EncryptInput {
  /** The 32-byte key, or the EncodingAESKey. */
  aesKey: Buffer | string;
  appId: string;
  message: string;
  /** The 16 random prefix bytes; injected by tests to reproduce the official vectors. */
  random?: Buffer;
}

export function encrypt({ aesKey, appId, message, random = randomBytes(RANDOM_BYTES) }: EncryptInput): string {
  const key = toKey(aesKey);
  if (random.length !== RANDOM_BYTES) {
    throw new ProtocolError('KEY_INVALID', `The random prefix must be ${RANDOM_BYTES} bytes (got ${random.length}).`);
  }
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, AES_BLOCK));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

export interface DecryptInput {
  aesKey: Buffer | string;
  /** The AppID the message must be addressed to: the framing's tail is checked against it. */
  appId: string;
  /** The base64 text of <Encrypt>. */
  encrypted: string;
}

/** Strict PKCS#7 unpad: value 1..32 and every pad byte equal. Undefined when the pad is invalid. */
function pkcs7Unpad(data: Buffer): Buffer | undefined {
  const pad = data[data.length - 1];
  if (pad === undefined || pad < 1 || pad > PAD_BLOCK || pad > data.length) return undefined;
  for (let i = data.length - pad; i < data.length; i++) if (data[i] !== pad) return undefined;
  return data.subarray(0, data.length - pad);
}

/** Decrypts and checks everything; any failure is the same DecryptError, whichever check tripped. */
export function decrypt({ aesKey, appId, encrypted }: DecryptInput): string {
  const key = toKey(aesKey);
  const plain = openFrame(key, encrypted);
  if (!plain?.appId.equals(Buffer.from(appId, 'utf8'))) throw new DecryptError();
  return plain.message;
}

function openFrame(key: Buffer, encrypted: string): { message: string; appId: Buffer } | undefined {
  if (encrypted.length % 4 !== 0 || !BASE64.test(encrypted)) return undefined;
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % AES_BLOCK !== 0) return undefined;
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, AES_BLOCK));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    return undefined;
  }
  const content = pkcs7Unpad(padded);
  if (!content || content.length < HEADER_BYTES) return undefined;
  const length = content.readUInt32BE(RANDOM_BYTES);
  if (length > content.length - HEADER_BYTES) return undefined;
  const end = HEADER_BYTES + length;
  try {
    return { message: utf8.decode(content.subarray(HEADER_BYTES, end)), appId: content.subarray(end) };
  } catch {
    return undefined;
  }
}

export interface EncryptedReplyInput {
  token: string;
  aesKey: Buffer | string;
  appId: string;
  /** The plain reply XML (from buildReplyXml). */
  xml: string;
  /** Echo the request's nonce. */
  nonce: string;
  /** Seconds since the epoch. */
  timestamp: string | number;
  random?: Buffer;
}

/** The 安全模式 reply envelope: Encrypt, MsgSignature, TimeStamp, Nonce. */
export function buildEncryptedReply({
  token,
  aesKey,
  appId,
  xml,
  nonce,
  timestamp,
  random,
}: EncryptedReplyInput): string {
  const sealed = encrypt({ aesKey, appId, message: xml, ...(random ? { random } : {}) });
  const ts = String(timestamp);
  const signature = computeMsgSignature(token, ts, nonce, sealed);
  return (
    `<xml><Encrypt>${cdata(sealed)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${ts}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}

export interface EncryptedEnvelope {
  encrypt: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
}

/** Reads an encrypted reply envelope (the simulator checks our replies with it). */
export function parseEncryptedReply(xml: string): EncryptedEnvelope {
  const root = parseXmlDocument(xml);
  const field = (name: string): string => {
    const value = root.children.find((child) => child.name === name)?.text;
    if (value === undefined) {
      throw new ProtocolError('XML_MISSING_FIELD', `The encrypted reply has no <${name}>.`);
    }
    return value;
  };
  return {
    encrypt: field('Encrypt'),
    msgSignature: field('MsgSignature'),
    timestamp: field('TimeStamp').trim(),
    nonce: field('Nonce'),
  };
}

export interface Cipher {
  encrypt(message: string, random?: Buffer): string;
  decrypt(encrypted: string): string;
}

/** Decodes the key once for the hot path. */
export function createCipher({ encodingAesKey, appId }: { encodingAesKey: string; appId: string }): Cipher {
  const aesKey = decodeAesKey(encodingAesKey);
  return {
    encrypt: function encryptMessage(message, random) {
      return encrypt({ aesKey, appId, message, ...(random ? { random } : {}) });
    },
    decrypt: function decryptMessage(encrypted) {
      return decrypt({ aesKey, appId, encrypted });
    },
  };
}
