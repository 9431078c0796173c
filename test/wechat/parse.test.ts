import { describe, expect, it } from 'vitest';
import { extractEncrypted, ProtocolError, parseMessage, parseXmlFields } from '../../src/wechat/index.js';
import { samples } from './samples.js';

function protocolError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

describe('parseMessage: every message and event type', () => {
  for (const { name, xml, expected } of samples) {
    it(name, () => {
      expect(parseMessage(xml)).toEqual(expected);
    });
  }

  it('covers every modelled MsgType and Event', () => {
    const kinds = new Set(samples.map(({ expected: m }) => (m.type === 'event' ? `event:${m.event}` : m.type)));
    for (const type of ['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'unknown']) {
      expect(kinds).toContain(type);
    }
    for (const event of [
      'subscribe',
      'unsubscribe',
      'SCAN',
      'LOCATION',
      'CLICK',
      'VIEW',
      'TEMPLATESENDJOBFINISH',
      'MASSSENDJOBFINISH',
      'scancode_push',
      'scancode_waitmsg',
      'pic_sysphoto',
      'pic_photo_or_album',
      'pic_weixin',
      'location_select',
      'view_miniprogram',
      'other',
    ]) {
      expect(kinds).toContain(`event:${event}`);
    }
  });
});

describe('parseMessage: details', () => {
  const text = (fields: string) =>
    `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1714112445</CreateTime>${fields}</xml>`;

  it('keeps MsgId 24567890123456789 exactly (a JS number would round it to …780)', () => {
    const message = parseMessage(text('<MsgType>text</MsgType><Content>x</Content><MsgId>24567890123456789</MsgId>'));
    expect(message).toMatchObject({ msgId: '24567890123456789' });
    expect(Number('24567890123456789').toString()).not.toBe('24567890123456789');
  });

  it('keeps numeric-looking and space-padded content as written', () => {
    const message = parseMessage(text('<MsgType>text</MsgType><Content><![CDATA[ 007 ]]></Content><MsgId>1</MsgId>'));
    expect(message).toMatchObject({ type: 'text', content: ' 007 ' });
  });

  it('decodes the five XML entities and character references outside CDATA, but nothing more', () => {
    const message = parseMessage(
      text(
        '<MsgType>text</MsgType><Content>a &lt;b&gt; &amp; &quot;c&apos; &#20320;&#x597D; &nbsp;</Content><MsgId>1</MsgId>',
      ),
    );
    expect(message).toMatchObject({ content: 'a <b> & "c\' 你好 &nbsp;' });
  });

  it('keeps `]]>` split across two CDATA sections', () => {
    const message = parseMessage(
      text('<MsgType>text</MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]></Content><MsgId>1</MsgId>'),
    );
    expect(message).toMatchObject({ content: 'a]]>b' });
  });

  it('accepts an XML declaration, and a user message that itself contains "<!DOCTYPE" inside CDATA', () => {
    const message = parseMessage(
      `<?xml version="1.0" encoding="UTF-8"?>${text('<MsgType>text</MsgType><Content><![CDATA[<!DOCTYPE html> 是什么？]]></Content><MsgId>1</MsgId>')}`,
    );
    expect(message).toMatchObject({ content: '<!DOCTYPE html> 是什么？' });
  });

  it('matches MsgType and Event names case-insensitively', () => {
    expect(parseMessage(text('<MsgType>TEXT</MsgType><Content>x</Content><MsgId>1</MsgId>'))).toMatchObject({
      type: 'text',
    });
    expect(parseMessage(text('<MsgType>event</MsgType><Event>scan</Event><EventKey>7</EventKey>'))).toMatchObject({
      event: 'SCAN',
      scene: '7',
    });
  });

  it('does not mistake prototype names for types', () => {
    expect(parseMessage(text('<MsgType>toString</MsgType><MsgId>1</MsgId>'))).toMatchObject({
      type: 'unknown',
      msgType: 'toString',
    });
    expect(parseMessage(text('<MsgType>event</MsgType><Event>hasOwnProperty</Event>'))).toMatchObject({
      event: 'other',
      name: 'hasOwnProperty',
    });
  });

  it('counts pictures from the list when Count is absent', () => {
    const message = parseMessage(
      text(
        '<MsgType>event</MsgType><Event>pic_weixin</Event><EventKey>k</EventKey><SendPicsInfo><PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo>',
      ),
    );
    expect(message).toMatchObject({ count: 2, picMd5Sums: ['a', 'b'] });
  });
});

describe('parseMessage: typed errors', () => {
  it.each([
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY x "boom">]><xml><ToUserName>&x;</ToUserName></xml>'],
    ['a lowercase doctype', '<!doctype xml><xml/>'],
    ['an ENTITY without DOCTYPE', '<xml><!ENTITY x SYSTEM "file:///etc/passwd"></xml>'],
    [
      'a billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    ],
  ])('refuses %s with XML_FORBIDDEN before parsing', (_name, xml) => {
    expect(protocolError(() => parseMessage(xml))).toMatchObject({ code: 'XML_FORBIDDEN', status: 400 });
  });

  it.each([
    ['garbage', 'hello world'],
    ['JSON', '{"ToUserName":"gh_1"}'],
    ['empty', ''],
    ['unclosed', '<xml><ToUserName>gh_1</ToUserName>'],
    ['mismatched tags', '<xml><A></B></xml>'],
    ['two roots', '<xml></xml><xml></xml>'],
    ['another root', '<root><MsgType>text</MsgType></root>'],
    ['trailing junk', '<xml></xml>junk'],
    ['a bare ampersand', '<xml><Content>a & b</Content></xml>'],
  ])('refuses %s with XML_MALFORMED', (_name, xml) => {
    expect(protocolError(() => parseMessage(xml)).code).toBe('XML_MALFORMED');
  });

  it.each([
    ['ToUserName', '<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>'],
    ['MsgType', '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>'],
    ['CreateTime', '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>'],
    [
      'Content',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>',
    ],
    [
      'MediaId',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>voice</MsgType><Format>amr</Format><MsgId>1</MsgId></xml>',
    ],
    [
      'Event',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>',
    ],
    [
      'ScanCodeInfo><ScanResult',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>scancode_push</Event><EventKey>k</EventKey><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo></xml>',
    ],
  ])('names the missing field %s (XML_MISSING_FIELD)', (field, xml) => {
    const error = protocolError(() => parseMessage(xml));
    expect(error.code).toBe('XML_MISSING_FIELD');
    expect(error.message).toContain(`<${field}>`);
  });

  it('accepts a message without MsgId (node-webot and co-wechat fixtures), and a missing MediaId the answer does not need', () => {
    const head = '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>';
    const text = parseMessage(`${head}<MsgType>text</MsgType><Content>x</Content></xml>`);
    expect(text).toEqual({ toUser: 'g', fromUser: 'o', createTime: 1, type: 'text', content: 'x' });
    expect(parseMessage(`${head}<MsgType>text</MsgType><Content>x</Content><MsgId> </MsgId></xml>`)).not.toHaveProperty(
      'msgId',
    );
    expect(parseMessage(`${head}<MsgType>image</MsgType><PicUrl>http://p/1.jpg</PicUrl></xml>`)).toMatchObject({
      type: 'image',
      picUrl: 'http://p/1.jpg',
      mediaId: '',
    });
    expect(parseMessage(`${head}<MsgType>voice</MsgType><Recognition>你好</Recognition></xml>`)).toMatchObject({
      type: 'voice',
      recognition: '你好',
      mediaId: '',
    });
    expect(parseMessage(`${head}<MsgType>shortvideo</MsgType></xml>`)).toMatchObject({
      type: 'shortvideo',
      mediaId: '',
    });
  });

  it('refuses a CreateTime or coordinate that is not a number', () => {
    const head = '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName>';
    expect(
      protocolError(() => parseMessage(`${head}<CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>`)).message,
    ).toMatch(/CreateTime/);
    const location = `${head}<CreateTime>1</CreateTime><MsgType>location</MsgType><Location_X>north</Location_X><Location_Y>1</Location_Y><MsgId>1</MsgId></xml>`;
    expect(protocolError(() => parseMessage(location))).toMatchObject({ code: 'XML_MALFORMED' });
  });
});

describe('extractEncrypted', () => {
  it('finds <Encrypt> in a 安全模式 body', () => {
    const body = '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>';
    expect(extractEncrypted(body)).toEqual({ encrypt: 'abc+/=', toUser: 'gh_1' });
  });

  it('keeps the plaintext fields of a 兼容模式 body', () => {
    const body =
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime>' +
      '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>5</MsgId><Encrypt><![CDATA[zzz]]></Encrypt></xml>';
    expect(extractEncrypted(body)).toEqual({
      encrypt: 'zzz',
      toUser: 'gh_1',
      plain: { ToUserName: 'gh_1', FromUserName: 'o1', CreateTime: '1', MsgType: 'text', Content: 'hi', MsgId: '5' },
    });
  });

  it('is undefined for a plain body, and guarded like every parse', () => {
    expect(extractEncrypted('<xml><MsgType>text</MsgType></xml>')).toBeUndefined();
    expect(protocolError(() => extractEncrypted('<!DOCTYPE x><xml/>')).code).toBe('XML_FORBIDDEN');
    expect(protocolError(() => extractEncrypted('nope')).code).toBe('XML_MALFORMED');
  });
});

describe('parseXmlFields', () => {
  it('returns strings only, nested leaves by path and repeated ones by index', () => {
    expect(
      parseXmlFields('<xml><MsgId>24567890123456789</MsgId><A><B>1</B><C>x</C><C>y</C></A><Empty/></xml>'),
    ).toEqual({ MsgId: '24567890123456789', 'A.B': '1', 'A.C[0]': 'x', 'A.C[1]': 'y', Empty: '' });
  });
});
