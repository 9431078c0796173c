import { describe, expect, it } from 'vitest';
import { buildMessageXml, parseMessage } from '../../src/wechat/index.js';
import { samples } from './samples.js';

describe('buildMessageXml', () => {
  for (const { name, expected } of samples) {
    it(`${name}: parses back to the same message`, () => {
      expect(parseMessage(buildMessageXml(expected))).toEqual(expected);
    });
  }

  it('writes what WeChat writes: CDATA strings, bare numbers, MsgId digit for digit', () => {
    const xml = buildMessageXml({
      type: 'text',
      toUser: 'gh_1',
      fromUser: 'o1',
      createTime: 1714112445,
      content: '你好',
      msgId: '24567890123456789',
    });
    expect(xml).toBe(
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1714112445</CreateTime>' +
        '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>24567890123456789</MsgId></xml>',
    );
  });

  it('writes the qrscene_ prefix back for a QR subscribe', () => {
    const xml = buildMessageXml({
      type: 'event',
      event: 'subscribe',
      scene: 's1',
      ticket: 't',
      toUser: 'g',
      fromUser: 'o',
      createTime: 1,
    });
    expect(xml).toContain('<EventKey><![CDATA[qrscene_s1]]></EventKey>');
  });
});
