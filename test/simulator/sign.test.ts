import { describe, expect, it } from 'vitest';
import { completeMessage, DEFAULT_ACCOUNT, DEFAULT_OPENID, newMsgId, signRequest } from '../../src/simulator/index.js';
import {
  buildMessageXml,
  decrypt,
  extractEncrypted,
  parseMessage,
  verifyMsgSignature,
  verifySignature,
} from '../../src/wechat/index.js';
import { AES_KEY, APP_ID, TOKEN } from './servers.js';

const message = completeMessage({ type: 'text', content: '你好' }, { now: () => 1714112445_000 });
const xml = buildMessageXml(message);
const fixed = { token: TOKEN, xml, timestamp: '1714112445', nonce: '415670741' };

describe('signRequest', () => {
  it('plain: signature, timestamp, nonce, openid; the body is the message', () => {
    const { query, body } = signRequest({ ...fixed, mode: 'plain' });
    expect([...query.keys()]).toEqual(['signature', 'timestamp', 'nonce', 'openid']);
    expect(query.get('openid')).toBe(DEFAULT_OPENID);
    expect(
      verifySignature({
        token: TOKEN,
        timestamp: '1714112445',
        nonce: '415670741',
        signature: query.get('signature')!,
      }),
    ).toBe(true);
    expect(body).toBe(xml);
  });

  it('safe: adds encrypt_type=aes and msg_signature; the body is only ToUserName and Encrypt', () => {
    const { query, body, encrypt } = signRequest({ ...fixed, mode: 'safe', encodingAesKey: AES_KEY, appId: APP_ID });
    expect([...query.keys()]).toEqual(['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature']);
    expect(query.get('encrypt_type')).toBe('aes');
    expect(body).toBe(
      `<xml><ToUserName><![CDATA[${DEFAULT_ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    );
    const envelope = extractEncrypted(body)!;
    expect(envelope).toEqual({ encrypt, toUser: DEFAULT_ACCOUNT });
    expect(
      verifyMsgSignature({
        token: TOKEN,
        timestamp: '1714112445',
        nonce: '415670741',
        encrypt: envelope.encrypt,
        msgSignature: query.get('msg_signature')!,
      }),
    ).toBe(true);
    expect(parseMessage(decrypt({ aesKey: AES_KEY, appId: APP_ID, encrypted: envelope.encrypt }))).toEqual(message);
  });

  it('compat: keeps the plaintext fields and adds <Encrypt> of the same message', () => {
    const { body, encrypt } = signRequest({ ...fixed, mode: 'compat', encodingAesKey: AES_KEY, appId: APP_ID });
    const envelope = extractEncrypted(body)!;
    expect(envelope.encrypt).toBe(encrypt);
    expect(envelope.plain).toMatchObject({
      MsgType: 'text',
      Content: '你好',
      MsgId: message.type === 'text' ? message.msgId : '',
    });
    expect(decrypt({ aesKey: AES_KEY, appId: APP_ID, encrypted: encrypt! })).toBe(xml);
  });

  it('refuses to encrypt without the EncodingAESKey or the AppID, saying which', () => {
    expect(() => signRequest({ ...fixed, mode: 'safe', appId: APP_ID })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', setting: 'wechat.encodingAesKey' }),
    );
    expect(() => signRequest({ ...fixed, mode: 'compat', encodingAesKey: AES_KEY })).toThrow(
      expect.objectContaining({ setting: 'wechat.appId' }),
    );
  });
});

describe('completeMessage and ids', () => {
  it('fills addressing, CreateTime in seconds and a fresh MsgId', () => {
    expect(message).toMatchObject({ toUser: DEFAULT_ACCOUNT, fromUser: DEFAULT_OPENID, createTime: 1714112445 });
    expect(message).toHaveProperty('msgId', expect.stringMatching(/^\d{18,19}$/));
  });

  it('keeps what was given, gives events no MsgId, and keeps a job event its own', () => {
    expect(completeMessage({ type: 'text', content: 'x', msgId: '42', fromUser: 'o1' }, { msgId: '43' })).toMatchObject(
      {
        msgId: '43',
        fromUser: 'o1',
      },
    );
    expect(completeMessage({ type: 'event', event: 'CLICK', key: 'K' })).not.toHaveProperty('msgId');
    expect(
      completeMessage({ type: 'event', event: 'TEMPLATESENDJOBFINISH', msgId: '200163836', status: 'success' }),
    ).toMatchObject({ msgId: '200163836' });
  });

  it('newMsgId is a 64-bit decimal beyond 2^53 (so number conversion would show), and unique', () => {
    const ids = Array.from({ length: 200 }, newMsgId);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) {
      expect(BigInt(id)).toBeGreaterThan(2n ** 53n);
      expect(BigInt(id)).toBeLessThan(2n ** 63n);
      expect(String(BigInt(id))).toBe(id);
    }
  });
});
