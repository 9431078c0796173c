/** Realistic inbound XML for every message and event type (shapes from the official docs), with the parse result. */
import type { InboundMessage } from '../../src/wechat/types.js';

const ACCOUNT = 'gh_97417a04a28d';
const USER = 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY';
const head = (msgType: string, createTime = 1714112445) =>
  `<xml>
  <ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[${USER}]]></FromUserName>
  <CreateTime>${createTime}</CreateTime>
  <MsgType><![CDATA[${msgType}]]></MsgType>`;
const base = { toUser: ACCOUNT, fromUser: USER, createTime: 1714112445 };

export interface Sample {
  name: string;
  xml: string;
  expected: InboundMessage;
}

export const samples: Sample[] = [
  {
    name: 'text',
    xml: `${head('text')}
  <Content><![CDATA[你好，帮我写一首诗 😀]]></Content>
  <MsgId>24567890123456789</MsgId>
</xml>`,
    expected: { ...base, type: 'text', content: '你好，帮我写一首诗 😀', msgId: '24567890123456789' },
  },
  {
    name: 'image',
    xml: `${head('image')}
  <PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz_jpg/abc/0]]></PicUrl>
  <MsgId>24567890123456790</MsgId>
  <MediaId><![CDATA[F1vqmWb3Mh5lRnBwXgk8EOFHRrU2nC8ZtpXc4q4lxeY]]></MediaId>
</xml>`,
    expected: {
      ...base,
      type: 'image',
      picUrl: 'http://mmbiz.qpic.cn/mmbiz_jpg/abc/0',
      mediaId: 'F1vqmWb3Mh5lRnBwXgk8EOFHRrU2nC8ZtpXc4q4lxeY',
      msgId: '24567890123456790',
    },
  },
  {
    name: 'voice with recognition',
    xml: `${head('voice')}
  <MediaId><![CDATA[media_voice_1]]></MediaId>
  <Format><![CDATA[amr]]></Format>
  <MsgId>1234567890123456</MsgId>
  <Recognition><![CDATA[今天天气怎么样]]></Recognition>
</xml>`,
    expected: {
      ...base,
      type: 'voice',
      mediaId: 'media_voice_1',
      format: 'amr',
      recognition: '今天天气怎么样',
      msgId: '1234567890123456',
    },
  },
  {
    name: 'voice without recognition (empty Recognition is absent)',
    xml: `${head('voice')}
  <MediaId><![CDATA[media_voice_2]]></MediaId>
  <Format><![CDATA[speex]]></Format>
  <Recognition><![CDATA[]]></Recognition>
  <MsgId>1234567890123457</MsgId>
</xml>`,
    expected: { ...base, type: 'voice', mediaId: 'media_voice_2', format: 'speex', msgId: '1234567890123457' },
  },
  {
    name: 'video',
    xml: `${head('video')}
  <MediaId><![CDATA[media_video]]></MediaId>
  <ThumbMediaId><![CDATA[thumb_video]]></ThumbMediaId>
  <MsgId>1234567890123458</MsgId>
</xml>`,
    expected: {
      ...base,
      type: 'video',
      mediaId: 'media_video',
      thumbMediaId: 'thumb_video',
      msgId: '1234567890123458',
    },
  },
  {
    name: 'shortvideo',
    xml: `${head('shortvideo')}
  <MediaId><![CDATA[media_short]]></MediaId>
  <ThumbMediaId><![CDATA[thumb_short]]></ThumbMediaId>
  <MsgId>1234567890123459</MsgId>
</xml>`,
    expected: {
      ...base,
      type: 'shortvideo',
      mediaId: 'media_short',
      thumbMediaId: 'thumb_short',
      msgId: '1234567890123459',
    },
  },
  {
    name: 'location',
    xml: `${head('location')}
  <Location_X>23.134521</Location_X>
  <Location_Y>113.358803</Location_Y>
  <Scale>20</Scale>
  <Label><![CDATA[广州市天河区珠江新城]]></Label>
  <MsgId>1234567890123460</MsgId>
</xml>`,
    expected: {
      ...base,
      type: 'location',
      latitude: 23.134521,
      longitude: 113.358803,
      scale: 20,
      label: '广州市天河区珠江新城',
      msgId: '1234567890123460',
    },
  },
  {
    name: 'link',
    xml: `${head('link')}
  <Title><![CDATA[公众号开发指南]]></Title>
  <Description><![CDATA[一篇好文章]]></Description>
  <Url><![CDATA[https://mp.weixin.qq.com/s/abc?a=1&b=2]]></Url>
  <MsgId>1234567890123461</MsgId>
</xml>`,
    expected: {
      ...base,
      type: 'link',
      title: '公众号开发指南',
      description: '一篇好文章',
      url: 'https://mp.weixin.qq.com/s/abc?a=1&b=2',
      msgId: '1234567890123461',
    },
  },
  {
    name: 'subscribe (plain follow)',
    xml: `${head('event')}
  <Event><![CDATA[subscribe]]></Event>
  <EventKey><![CDATA[]]></EventKey>
</xml>`,
    expected: { ...base, type: 'event', event: 'subscribe' },
  },
  {
    name: 'subscribe by parametric QR code (qrscene_ stripped)',
    xml: `${head('event')}
  <Event><![CDATA[subscribe]]></Event>
  <EventKey><![CDATA[qrscene_poster42]]></EventKey>
  <Ticket><![CDATA[gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==]]></Ticket>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'subscribe',
      scene: 'poster42',
      ticket: 'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
    },
  },
  {
    name: 'unsubscribe',
    xml: `${head('event')}
  <Event><![CDATA[unsubscribe]]></Event>
  <EventKey><![CDATA[]]></EventKey>
</xml>`,
    expected: { ...base, type: 'event', event: 'unsubscribe' },
  },
  {
    name: 'SCAN (already following)',
    xml: `${head('event')}
  <Event><![CDATA[SCAN]]></Event>
  <EventKey><![CDATA[123123]]></EventKey>
  <Ticket><![CDATA[TICKET]]></Ticket>
</xml>`,
    expected: { ...base, type: 'event', event: 'SCAN', scene: '123123', ticket: 'TICKET' },
  },
  {
    name: 'LOCATION (reported location)',
    xml: `${head('event')}
  <Event><![CDATA[LOCATION]]></Event>
  <Latitude>23.137466</Latitude>
  <Longitude>113.352425</Longitude>
  <Precision>119.385040</Precision>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'LOCATION',
      latitude: 23.137466,
      longitude: 113.352425,
      precision: 119.38504,
    },
  },
  {
    name: 'CLICK',
    xml: `${head('event')}
  <Event><![CDATA[CLICK]]></Event>
  <EventKey><![CDATA[MENU_ABOUT]]></EventKey>
</xml>`,
    expected: { ...base, type: 'event', event: 'CLICK', key: 'MENU_ABOUT' },
  },
  {
    name: 'VIEW',
    xml: `${head('event')}
  <Event><![CDATA[VIEW]]></Event>
  <EventKey><![CDATA[https://www.example.com/?from=menu&x=1]]></EventKey>
  <MenuId>208396938</MenuId>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'VIEW',
      url: 'https://www.example.com/?from=menu&x=1',
      menuId: '208396938',
    },
  },
  {
    name: 'TEMPLATESENDJOBFINISH (MsgID with a capital D)',
    xml: `${head('event')}
  <Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
  <MsgID>200163836</MsgID>
  <Status><![CDATA[success]]></Status>
</xml>`,
    expected: { ...base, type: 'event', event: 'TEMPLATESENDJOBFINISH', msgId: '200163836', status: 'success' },
  },
  {
    name: 'MASSSENDJOBFINISH',
    xml: `${head('event')}
  <Event><![CDATA[MASSSENDJOBFINISH]]></Event>
  <MsgID>1988</MsgID>
  <Status><![CDATA[sendsuccess]]></Status>
  <TotalCount>100</TotalCount>
  <FilterCount>80</FilterCount>
  <SentCount>75</SentCount>
  <ErrorCount>5</ErrorCount>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'MASSSENDJOBFINISH',
      msgId: '1988',
      status: 'sendsuccess',
      totalCount: 100,
      filterCount: 80,
      sentCount: 75,
      errorCount: 5,
    },
  },
  {
    name: 'scancode_push',
    xml: `${head('event')}
  <Event><![CDATA[scancode_push]]></Event>
  <EventKey><![CDATA[rselfmenu_0_1]]></EventKey>
  <ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>
  <ScanResult><![CDATA[https://example.com/item/1]]></ScanResult>
  </ScanCodeInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'scancode_push',
      key: 'rselfmenu_0_1',
      scanType: 'qrcode',
      scanResult: 'https://example.com/item/1',
    },
  },
  {
    name: 'scancode_waitmsg',
    xml: `${head('event')}
  <Event><![CDATA[scancode_waitmsg]]></Event>
  <EventKey><![CDATA[rselfmenu_0_0]]></EventKey>
  <ScanCodeInfo><ScanType><![CDATA[barcode]]></ScanType>
  <ScanResult><![CDATA[EAN_13,6901234567892]]></ScanResult>
  </ScanCodeInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'scancode_waitmsg',
      key: 'rselfmenu_0_0',
      scanType: 'barcode',
      scanResult: 'EAN_13,6901234567892',
    },
  },
  {
    name: 'pic_sysphoto (one picture)',
    xml: `${head('event')}
  <Event><![CDATA[pic_sysphoto]]></Event>
  <EventKey><![CDATA[rselfmenu_1_0]]></EventKey>
  <SendPicsInfo><Count>1</Count>
  <PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>
  </item>
  </PicList>
  </SendPicsInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'pic_sysphoto',
      key: 'rselfmenu_1_0',
      count: 1,
      picMd5Sums: ['1b5f7c23b5bf75682a53e7b6d163e185'],
    },
  },
  {
    name: 'pic_photo_or_album (several pictures)',
    xml: `${head('event')}
  <Event><![CDATA[pic_photo_or_album]]></Event>
  <EventKey><![CDATA[rselfmenu_1_1]]></EventKey>
  <SendPicsInfo><Count>2</Count>
  <PicList>
    <item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]></PicMd5Sum></item>
    <item><PicMd5Sum><![CDATA[6b86bbdb067e08cf797820329f386d7c]]></PicMd5Sum></item>
  </PicList>
  </SendPicsInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'pic_photo_or_album',
      key: 'rselfmenu_1_1',
      count: 2,
      picMd5Sums: ['5a75aaca956d97be686719218f275c6b', '6b86bbdb067e08cf797820329f386d7c'],
    },
  },
  {
    name: 'pic_weixin',
    xml: `${head('event')}
  <Event><![CDATA[pic_weixin]]></Event>
  <EventKey><![CDATA[rselfmenu_1_2]]></EventKey>
  <SendPicsInfo><Count>1</Count>
  <PicList><item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]></PicMd5Sum></item></PicList>
  </SendPicsInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'pic_weixin',
      key: 'rselfmenu_1_2',
      count: 1,
      picMd5Sums: ['5a75aaca956d97be686719218f275c6b'],
    },
  },
  {
    name: 'location_select',
    xml: `${head('event')}
  <Event><![CDATA[location_select]]></Event>
  <EventKey><![CDATA[rselfmenu_2_0]]></EventKey>
  <SendLocationInfo><Location_X><![CDATA[23]]></Location_X>
  <Location_Y><![CDATA[113]]></Location_Y>
  <Scale><![CDATA[15]]></Scale>
  <Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label>
  <Poiname><![CDATA[]]></Poiname>
  </SendLocationInfo>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'location_select',
      key: 'rselfmenu_2_0',
      latitude: 23,
      longitude: 113,
      scale: 15,
      label: ' 广州市海珠区客村艺苑路 106号',
    },
  },
  {
    name: 'view_miniprogram',
    xml: `${head('event')}
  <Event><![CDATA[view_miniprogram]]></Event>
  <EventKey><![CDATA[pages/index/index]]></EventKey>
  <MenuId>MENUID</MenuId>
</xml>`,
    expected: { ...base, type: 'event', event: 'view_miniprogram', key: 'pages/index/index', menuId: 'MENUID' },
  },
  {
    name: 'an event we do not model (kept raw)',
    xml: `${head('event')}
  <Event><![CDATA[kf_create_session]]></Event>
  <KfAccount><![CDATA[test1@test]]></KfAccount>
</xml>`,
    expected: {
      ...base,
      type: 'event',
      event: 'other',
      name: 'kf_create_session',
      raw: {
        ToUserName: ACCOUNT,
        FromUserName: USER,
        CreateTime: '1714112445',
        MsgType: 'event',
        Event: 'kf_create_session',
        KfAccount: 'test1@test',
      },
    },
  },
  {
    name: 'a MsgType we do not model (kept raw, nested fields flattened)',
    xml: `${head('miniprogrampage')}
  <Title><![CDATA[小程序卡片]]></Title>
  <Page><Path><![CDATA[pages/a]]></Path><Path><![CDATA[pages/b]]></Path></Page>
  <MsgId>98765432109876543</MsgId>
</xml>`,
    expected: {
      ...base,
      type: 'unknown',
      msgType: 'miniprogrampage',
      msgId: '98765432109876543',
      raw: {
        ToUserName: ACCOUNT,
        FromUserName: USER,
        CreateTime: '1714112445',
        MsgType: 'miniprogrampage',
        Title: '小程序卡片',
        'Page.Path[0]': 'pages/a',
        'Page.Path[1]': 'pages/b',
        MsgId: '98765432109876543',
      },
    },
  },
];
