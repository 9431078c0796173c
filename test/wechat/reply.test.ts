import { describe, expect, it } from 'vitest';
import {
  buildReplyXml,
  type InboundMessage,
  ProtocolError,
  parseReplyXml,
  type Reply,
  replyTo,
} from '../../src/wechat/index.js';

const envelope = { toUser: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY', fromUser: 'gh_97417a04a28d', createTime: 1714112445 };

const replies: Reply[] = [
  { type: 'text', content: '你好！😀 <b>&amp;</b>' },
  { type: 'image', mediaId: 'MEDIA_IMAGE' },
  { type: 'voice', mediaId: 'MEDIA_VOICE' },
  { type: 'video', mediaId: 'MEDIA_VIDEO', title: '视频', description: '说明' },
  { type: 'video', mediaId: 'MEDIA_VIDEO' },
  {
    type: 'music',
    title: '歌',
    description: '词',
    musicUrl: 'https://a.example/m.mp3',
    hqMusicUrl: 'https://a.example/hq.mp3',
    thumbMediaId: 'THUMB',
  },
  { type: 'music', thumbMediaId: 'THUMB' },
  {
    type: 'news',
    articles: [{ title: '官网', description: '介绍', picUrl: 'https://a.example/p.jpg', url: 'https://a.example' }],
  },
  {
    type: 'news',
    articles: Array.from({ length: 8 }, (_, i) => ({ title: `第${i + 1}篇`, url: `https://a.example/${i}?a=1&b=2` })),
  },
  { type: 'transfer_customer_service' },
  { type: 'transfer_customer_service', kfAccount: 'test1@test' },
];

describe('buildReplyXml', () => {
  for (const reply of replies) {
    const label = `${reply.type} ${JSON.stringify(reply).length}`;
    it(`${label}: parses back to what was built`, () => {
      const xml = buildReplyXml(reply, envelope);
      expect(parseReplyXml(xml)).toEqual({ ...reply, ...envelope });
    });
  }

  it('writes text exactly as WeChat documents it', () => {
    expect(buildReplyXml({ type: 'text', content: '你好' }, envelope)).toBe(
      '<xml><ToUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></ToUserName><FromUserName><![CDATA[gh_97417a04a28d]]></FromUserName>' +
        '<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>',
    );
  });

  it('writes news with ArticleCount and items, and transfer with TransInfo', () => {
    const news = buildReplyXml({ type: 'news', articles: [{ title: 'T', url: 'U' }] }, envelope);
    expect(news).toContain(
      '<ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[T]]></Title><Url><![CDATA[U]]></Url></item></Articles>',
    );
    expect(buildReplyXml({ type: 'transfer_customer_service', kfAccount: 'k@t' }, envelope)).toContain(
      '<MsgType><![CDATA[transfer_customer_service]]></MsgType><TransInfo><KfAccount><![CDATA[k@t]]></KfAccount></TransInfo>',
    );
  });

  it('answers success with the bare string', () => {
    expect(buildReplyXml({ type: 'success' }, envelope)).toBe('success');
  });

  it('keeps `]]>` in content intact', () => {
    const content = 'a]]>b]]]]>c<![CDATA[d]]>';
    const xml = buildReplyXml({ type: 'text', content }, envelope);
    expect(xml).toContain('<![CDATA[a]]]]><![CDATA[>b');
    expect(parseReplyXml(xml)).toMatchObject({ content });
  });

  it('drops characters XML cannot carry instead of producing a body WeChat rejects', () => {
    const xml = buildReplyXml({ type: 'text', content: 'a\u0000b\u0007c\uD800d\uFFFEe' }, envelope);
    expect(parseReplyXml(xml)).toMatchObject({ content: 'abcde' });
  });

  it('defaults CreateTime to now, in seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const parsed = parseReplyXml(buildReplyXml({ type: 'text', content: 'x' }, { toUser: 'o', fromUser: 'g' }));
    expect(parsed.createTime).toBeGreaterThanOrEqual(before);
    expect(parsed.createTime).toBeLessThanOrEqual(before + 2);
  });

  it.each<[string, Reply, Partial<typeof envelope> & { maxArticles?: number }]>([
    ['empty text', { type: 'text', content: '' }, {}],
    ['whitespace-only text', { type: 'text', content: ' \n\t ' }, {}],
    ['text of control characters only', { type: 'text', content: '\u0000\u0007 ' }, {}],
    ['an empty mediaId', { type: 'image', mediaId: '' }, {}],
    ['music without a thumbnail', { type: 'music', thumbMediaId: ' ' }, {}],
    ['news without articles', { type: 'news', articles: [] }, {}],
    ['9 articles', { type: 'news', articles: Array.from({ length: 9 }, () => ({ title: 't' })) }, {}],
    ['2 articles where 1 is allowed', { type: 'news', articles: [{ title: 'a' }, { title: 'b' }] }, { maxArticles: 1 }],
    ['CreateTime in milliseconds', { type: 'text', content: 'x' }, { createTime: 1714112445000 }],
    ['a fractional CreateTime', { type: 'text', content: 'x' }, { createTime: 1714112445.5 }],
    ['an empty ToUserName', { type: 'text', content: 'x' }, { toUser: '' }],
  ])('refuses %s with REPLY_INVALID', (_name, reply, overrides) => {
    expect(() => buildReplyXml(reply, { ...envelope, ...overrides })).toThrow(
      expect.objectContaining({ name: 'ProtocolError', code: 'REPLY_INVALID' }),
    );
  });
});

describe('replyTo', () => {
  const text: InboundMessage = {
    type: 'text',
    toUser: 'gh_account',
    fromUser: 'oUser',
    createTime: 1714112445,
    msgId: '1',
    content: 'hi',
  };
  const click: InboundMessage = {
    type: 'event',
    event: 'CLICK',
    key: 'K',
    toUser: 'gh_account',
    fromUser: 'oUser',
    createTime: 1,
  };
  const twoArticles: Reply = { type: 'news', articles: [{ title: 'a' }, { title: 'b' }] };

  it('swaps To and From, with CreateTime in seconds', () => {
    const parsed = parseReplyXml(replyTo(text, { type: 'text', content: 'pong' }, { createTime: 1714112450 }));
    expect(parsed).toEqual({
      type: 'text',
      content: 'pong',
      toUser: 'oUser',
      fromUser: 'gh_account',
      createTime: 1714112450,
    });
  });

  it('allows one article when answering a user message, up to 8 for events', () => {
    expect(() => replyTo(text, twoArticles)).toThrow(/at most 1/);
    expect(parseReplyXml(replyTo(click, twoArticles))).toMatchObject({ articles: [{ title: 'a' }, { title: 'b' }] });
  });
});

describe('parseReplyXml', () => {
  const head = '<xml><ToUserName>o</ToUserName><FromUserName>g</FromUserName><CreateTime>1714112445</CreateTime>';

  it.each([
    ['an unknown MsgType', `${head}<MsgType>markdown</MsgType><Content>x</Content></xml>`, 'REPLY_INVALID'],
    [
      'a wrong ArticleCount',
      `${head}<MsgType>news</MsgType><ArticleCount>2</ArticleCount><Articles><item><Title>a</Title></item></Articles></xml>`,
      'REPLY_INVALID',
    ],
    [
      'a non-numeric CreateTime',
      '<xml><ToUserName>o</ToUserName><FromUserName>g</FromUserName><CreateTime>now</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>',
      'REPLY_INVALID',
    ],
    ['a text without Content', `${head}<MsgType>text</MsgType></xml>`, 'XML_MISSING_FIELD'],
    ['an image without <Image>', `${head}<MsgType>image</MsgType><MediaId>m</MediaId></xml>`, 'XML_MISSING_FIELD'],
    ['JSON', '{"content":"hi"}', 'XML_MALFORMED'],
  ])('refuses %s', (_name, xml, code) => {
    expect(() => parseReplyXml(xml)).toThrow(expect.objectContaining({ code }));
    expect(() => parseReplyXml(xml)).toThrow(ProtocolError);
  });
});
