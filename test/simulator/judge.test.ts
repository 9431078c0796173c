import { describe, expect, it } from 'vitest';
import { ERROR_PAGE_TEXT, judgeReply } from '../../src/simulator/index.js';
import { buildEncryptedReply, decodeAesKey, type InboundMessage, replyTo } from '../../src/wechat/index.js';

const TOKEN = 'judgeToken1';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx1234567890abcdef';
const message: InboundMessage = {
  type: 'text',
  toUser: 'gh_0123456789ab',
  fromUser: 'oUser1',
  createTime: Math.floor(Date.now() / 1000),
  msgId: '24567890123456789',
  content: 'hi',
};
const plain = (content: string) => replyTo(message, { type: 'text', content });
const input = { message, token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID, status: 200 } as const;

describe('judgeReply', () => {
  it('reads a plain reply whose text quotes <Encrypt> as the text it is', () => {
    const verdict = judgeReply({ ...input, mode: 'plain', body: plain('XML 里的 <Encrypt> 元素是什么？') });
    expect(verdict).toMatchObject({ ok: true, userSees: 'XML 里的 <Encrypt> 元素是什么？' });
  });

  it('opens an encrypted reply, and refuses a plaintext one in 安全模式', () => {
    const body = buildEncryptedReply({
      token: TOKEN,
      aesKey: decodeAesKey(AES_KEY),
      appId: APP_ID,
      xml: plain('加密的回答'),
      nonce: 'n1',
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    expect(judgeReply({ ...input, mode: 'safe', body })).toMatchObject({ ok: true, userSees: '加密的回答' });
    const refused = judgeReply({ ...input, mode: 'safe', body: plain('明文') });
    expect(refused.ok).toBe(false);
    expect(refused.userSees).toBe(ERROR_PAGE_TEXT);
    expect(refused.problems.join(' ')).toMatch(/plaintext reply/);
  });

  it('shows nothing for success, and the error page for a 500', () => {
    expect(judgeReply({ ...input, mode: 'plain', body: 'success' })).toMatchObject({ ok: true, userSees: '' });
    expect(judgeReply({ ...input, mode: 'plain', status: 500, body: '' })).toMatchObject({
      ok: false,
      userSees: ERROR_PAGE_TEXT,
    });
  });
});
