// Customer-service messages, typing, and temporary media (download and upload) against the fake WeChat API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatApiError } from '../../src/errors.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { createWechatApi, type WechatApiOptions } from '../../src/wechat-api/index.js';
import { type FakeWechatApi, type MultipartBody, startFakeWechatApi } from '../support/fake-wechat-api.js';

const appId = 'wx1234567890abcdef';
const appSecret = 'app-secret-0123456789abcdef0123456';
const openid = 'oUser_0123456789abcdefghijklm';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(64, 0x3c)]);

let fake: FakeWechatApi;
beforeEach(async () => {
  fake = await startFakeWechatApi({ appId, appSecret });
});
afterEach(() => fake.close());

function api(options: Partial<WechatApiOptions> = {}) {
  return createWechatApi({ appId, appSecret, apiBase: fake.url, store: createMemoryStore(), ...options });
}

describe('pushing', () => {
  it('delivers typing, text, image, voice and news in order, in WeChat’s JSON shapes', async () => {
    const wechat = api();
    const image = fake.addMedia({ type: 'image', data: JPEG, contentType: 'image/jpeg' });
    const voice = fake.addMedia({ type: 'voice', data: AMR, contentType: 'audio/amr' });
    await wechat.typing(openid, 'Typing');
    await wechat.sendText(openid, '你好，世界 👋');
    await wechat.sendImage(openid, image);
    await wechat.sendVoice(openid, voice);
    await wechat.sendNews(openid, [
      { title: '标题', description: '摘要', url: 'https://example.com/a', picUrl: 'https://example.com/p.jpg' },
    ]);
    await wechat.typing(openid, 'CancelTyping');

    expect(fake.pushed(openid)).toEqual([
      { kind: 'typing', body: { touser: openid, command: 'Typing' } },
      { kind: 'message', body: { touser: openid, msgtype: 'text', text: { content: '你好，世界 👋' } } },
      { kind: 'message', body: { touser: openid, msgtype: 'image', image: { media_id: image } } },
      { kind: 'message', body: { touser: openid, msgtype: 'voice', voice: { media_id: voice } } },
      {
        kind: 'message',
        body: {
          touser: openid,
          msgtype: 'news',
          news: {
            articles: [
              { title: '标题', description: '摘要', url: 'https://example.com/a', picurl: 'https://example.com/p.jpg' },
            ],
          },
        },
      },
      { kind: 'typing', body: { touser: openid, command: 'CancelTyping' } },
    ]);
    expect(fake.pushed('someone-else')).toEqual([]);
  });

  it('sends the body as UTF-8 JSON, Chinese unescaped', async () => {
    let raw = '';
    const wechat = api({
      fetch: async (input, init) => {
        if (String(input).includes('/custom/send')) raw = String(init?.body);
        return fetch(input, init);
      },
    });
    await wechat.sendText(openid, '中文');
    expect(raw).toContain('"content":"中文"');
  });

  it('sends a Reply as a customer-service message, and refuses one that cannot be pushed', async () => {
    const wechat = api();
    await wechat.sendReply(openid, { type: 'text', content: '答案' });
    await wechat.sendReply(openid, { type: 'music', title: '歌', musicUrl: 'https://m/a.mp3', thumbMediaId: 'thumb' });
    expect(fake.pushed(openid).map((item) => item.body.msgtype)).toEqual(['text', 'music']);
    await expect(wechat.sendReply(openid, { type: 'success' })).rejects.toMatchObject({ code: 'REPLY_INVALID' });
  });

  it('surfaces WeChat’s validation errors (unknown media, empty text)', async () => {
    const wechat = api();
    await expect(wechat.sendImage(openid, 'no-such-media')).rejects.toMatchObject({
      errcode: 40007,
      hint: expect.stringContaining('3 days'),
    });
    await expect(wechat.sendText(openid, '')).rejects.toMatchObject({ errcode: 44004 });
    expect(fake.pushed(openid)).toEqual([]);
  });
});

describe('downloadMedia', () => {
  it('returns the bytes, content type and file name', async () => {
    const wechat = api();
    const image = fake.addMedia({ type: 'image', data: JPEG, contentType: 'image/jpeg' });
    const voice = fake.addMedia({ type: 'voice', data: AMR, contentType: 'audio/amr', filename: 'hello.amr' });
    const downloadedImage = await wechat.downloadMedia(image);
    expect(downloadedImage).toEqual({ data: JPEG, contentType: 'image/jpeg', filename: `${image}.jpg` });
    expect(Buffer.isBuffer(downloadedImage.data)).toBe(true);
    expect(await wechat.downloadMedia(voice)).toEqual({ data: AMR, contentType: 'audio/amr', filename: 'hello.amr' });
    expect(fake.callsTo('/cgi-bin/media/get')[0]!.query.media_id).toBe(image);
  });

  it.each(['text/plain', 'application/json'])(
    'turns a JSON error body sent as %s into a WechatApiError',
    async (type) => {
      await fake.close();
      fake = await startFakeWechatApi({ appId, appSecret, mediaErrorContentType: type });
      const error = await api()
        .downloadMedia('expired-media')
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(WechatApiError);
      expect(error).toMatchObject({ errcode: 40007, code: 'WECHAT_API_ERROR' });
    },
  );

  it('renews a refused token on a download too', async () => {
    const wechat = api();
    const image = fake.addMedia({ type: 'image', data: JPEG, contentType: 'image/jpeg' });
    await wechat.getAccessToken();
    fake.expireTokens();
    expect((await wechat.downloadMedia(image)).data).toEqual(JPEG);
    expect(fake.callsTo('/cgi-bin/media/get')).toHaveLength(2);
  });

  it('catches an error body mislabelled as binary', async () => {
    fake.inject('/cgi-bin/media/get', {
      status: 200,
      body: JSON.stringify({ errcode: 45009, errmsg: 'reach max api daily quota limit' }),
      contentType: 'application/octet-stream',
    });
    await expect(api().downloadMedia('any')).rejects.toMatchObject({ errcode: 45009 });
  });

  it('follows the video_url WeChat answers for video media', async () => {
    const video = Buffer.alloc(2048, 7);
    const id = fake.addMedia({ type: 'video', data: video, contentType: 'video/mp4' });
    expect(await api().downloadMedia(id)).toMatchObject({
      data: video,
      contentType: 'video/mp4',
      filename: `${id}.mp4`,
    });
  });

  it('refuses media over maxMediaBytes', async () => {
    const id = fake.addMedia({ type: 'image', data: Buffer.alloc(4096), contentType: 'image/jpeg' });
    await expect(api({ maxMediaBytes: 1024 }).downloadMedia(id)).rejects.toMatchObject({
      hint: expect.stringContaining('maxMediaBytes'),
    });
  });
});

describe('uploadMedia', () => {
  it('uploads as multipart field `media` and the media can be downloaded and pushed', async () => {
    const wechat = api();
    const uploaded = await wechat.uploadMedia('voice', AMR, 'answer.amr', 'audio/amr');
    expect(uploaded).toEqual({ type: 'voice', mediaId: expect.any(String), createdAt: expect.any(Number) });
    expect(Math.abs(uploaded.createdAt - Date.now())).toBeLessThan(5000);

    const call = fake.callsTo('/cgi-bin/media/upload')[0]!;
    expect(call.query.type).toBe('voice');
    expect((call.body as MultipartBody).files).toEqual([
      { field: 'media', filename: 'answer.amr', type: 'audio/amr', size: AMR.length },
    ]);

    expect(await wechat.downloadMedia(uploaded.mediaId)).toEqual({
      data: AMR,
      contentType: 'audio/amr',
      filename: 'answer.amr',
    });
    await wechat.sendVoice(openid, uploaded.mediaId);
    expect(fake.pushed(openid)[0]!.body).toMatchObject({ voice: { media_id: uploaded.mediaId } });
  });

  it('retries an upload after a refused token with the whole file again', async () => {
    const wechat = api();
    fake.inject('/cgi-bin/media/upload', 40001);
    const uploaded = await wechat.uploadMedia('image', JPEG, 'a.jpg', 'image/jpeg');
    expect(fake.media.get(uploaded.mediaId)?.data).toEqual(JPEG);
    expect(fake.callsTo('/cgi-bin/media/upload')).toHaveLength(2);
  });
});
