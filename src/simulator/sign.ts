/**
 * Signs a message the way WeChat's servers do for each 消息加解密方式: the query string (signature, timestamp, nonce,
 * openid; plus encrypt_type and msg_signature when encrypted) and the body (plain, 兼容模式 or 安全模式).
 */
import { ConfigError } from '../errors.js';
import { cdata, computeMsgSignature, computeSignature, encrypt, parseXmlFields } from '../wechat/index.js';
import { newNonce } from './ids.js';

/** 明文模式, 兼容模式, 安全模式. */
export type SimulatedMode = 'plain' | 'compat' | 'safe';

export interface SignRequestOptions {
  token: string;
  mode: SimulatedMode;
  encodingAesKey?: string;
  appId?: string;
  /** The plaintext message XML (buildMessageXml). */
  xml: string;
  /** Seconds, as a string; now by default. */
  timestamp?: string;
  nonce?: string;
  /** The sender's openid (query `openid`); read from the XML's FromUserName by default. */
  openid?: string;
  /** The 16-byte random prefix of the encrypted frame (tests). */
  random?: Buffer;
  now?: () => number;
}

export interface SignedRequest {
  query: URLSearchParams;
  body: string;
  timestamp: string;
  nonce: string;
  /** The <Encrypt> text, when the mode encrypts. */
  encrypt?: string;
}

function requireKey(mode: SimulatedMode, encodingAesKey: string | undefined, appId: string | undefined) {
  if (!encodingAesKey) {
    throw new ConfigError('wechat.encodingAesKey', `${mode} mode encrypts messages and needs the EncodingAESKey.`, {
      hint: 'Set WECHAT_AES_KEY (服务器配置 → EncodingAESKey), or simulate with --mode plain.',
    });
  }
  if (!appId) {
    throw new ConfigError('wechat.appId', `${mode} mode encrypts messages for an AppID and needs it.`, {
      hint: 'Set WECHAT_APP_ID (基本配置 → AppID), or simulate with --mode plain.',
    });
  }
  return { encodingAesKey, appId };
}

export function signRequest({
  token,
  mode,
  encodingAesKey,
  appId,
  xml,
  now = Date.now,
  timestamp = String(Math.floor(now() / 1000)),
  nonce = newNonce(),
  openid,
  random,
}: SignRequestOptions): SignedRequest {
  const fields = parseXmlFields(xml);
  const query = new URLSearchParams({
    signature: computeSignature(token, timestamp, nonce),
    timestamp,
    nonce,
    openid: openid ?? fields.FromUserName ?? '',
  });
  if (mode === 'plain') return { query, body: xml, timestamp, nonce };

  const key = requireKey(mode, encodingAesKey, appId);
  const sealed = encrypt({ aesKey: key.encodingAesKey, appId: key.appId, message: xml, ...(random ? { random } : {}) });
  query.set('encrypt_type', 'aes');
  query.set('msg_signature', computeMsgSignature(token, timestamp, nonce, sealed));
  const envelope = `<Encrypt>${cdata(sealed)}</Encrypt>`;
  const body =
    mode === 'safe'
      ? `<xml><ToUserName>${cdata(fields.ToUserName ?? '')}</ToUserName>${envelope}</xml>`
      : xml.replace(/<\/xml>\s*$/, `${envelope}</xml>`);
  return { query, body, timestamp, nonce, encrypt: sealed };
}
