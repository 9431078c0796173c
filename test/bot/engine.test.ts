import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../src/bot/paging.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

describe('conversation engine', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        keywords: [
          { match: 'exact', pattern: '价格', reply: { type: 'text', content: '基础版 99 元/月' } },
          {
            match: 'contains',
            pattern: '官网',
            reply: { type: 'news', articles: [{ title: '官网', url: 'https://example.com' }] },
          },
          { match: 'regex', pattern: '^图片\\d+$', reply: { type: 'image', mediaId: 'MEDIA_1' } },
          { match: 'exact', pattern: 'MENU_ABOUT', reply: { type: 'text', content: '关于我们' } },
        ],
        texts: { welcome: '欢迎！来自 {scene}' },
      },
    });
    h.fake.setDefault((req) => ({ reply: `echo:${lastUserText(req.body as ChatBody)}` }));
  });
  afterAll(() => h.close());

  it('answers a question with the model', async () => {
    const result = await h.send('你好');
    expect(result.userSees).toBe('echo:你好');
  });

  it('keeps multi-turn history per user, and /reset (or 清除记忆) forgets it', async () => {
    const user = newUser();
    await h.send('我叫小明', { user });
    await h.send('我叫什么？', { user });
    const seenByModel = h.fake.requests.at(-1)!.body as ChatBody;
    expect(seenByModel.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(seenByModel.messages[1]!.content).toBe('我叫小明');

    const reset = await h.send('清除记忆', { user });
    expect(reset.userSees).toMatch(/已清除记忆/);
    await h.send('再问一次', { user });
    const after = h.fake.requests.at(-1)!.body as ChatBody;
    expect(after.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('keeps both turns of two messages of one user answered at the same time', async () => {
    const user = newUser();
    h.fake.script([
      { reply: 'echo:第一条', latencyMs: 150 },
      { reply: 'echo:第二条', latencyMs: 50 },
    ]);
    await Promise.all([h.send('第一条', { user }), h.send('第二条', { user })]);
    await h.send('第三条', { user });
    const seenByModel = h.fake.requests.at(-1)!.body as ChatBody;
    const said = seenByModel.messages.filter((m) => m.role !== 'system').map((m) => String(m.content));
    expect(said).toHaveLength(5);
    expect(said).toEqual(expect.arrayContaining(['第一条', 'echo:第一条', '第二条', 'echo:第二条']));
    expect(said.at(-1)).toBe('第三条');
  });

  it('keeps other users apart', async () => {
    const a = newUser();
    const b = newUser();
    await h.send('A 的秘密', { user: a });
    await h.send('B 问', { user: b });
    const body = h.fake.requests.at(-1)!.body as ChatBody;
    expect(JSON.stringify(body)).not.toContain('A 的秘密');
  });

  it('answers help in Chinese and English, and the continue word with nothing waiting', async () => {
    expect((await h.send('帮助')).userSees).toMatch(/指令/);
    expect((await h.send('/help')).userSees).toMatch(/指令/);
    expect((await h.send('继续')).userSees).toMatch(/没有待发送/);
  });

  it('applies keyword rules: exact, contains and regex, as text, news and image', async () => {
    const calls = h.fake.requests.length;
    expect((await h.send('价格')).userSees).toBe('基础版 99 元/月');
    const news = await h.send('你们的官网是什么');
    expect(news.reply).toMatchObject({ type: 'news', articles: [{ title: '官网' }] });
    const image = await h.send('图片42');
    expect(image.reply).toMatchObject({ type: 'image', mediaId: 'MEDIA_1' });
    expect(h.fake.requests.length).toBe(calls);
  });

  it('matches menu CLICK EventKeys against the rules; other events get success', async () => {
    const click = await h.send({ type: 'event', event: 'CLICK', key: 'MENU_ABOUT' });
    expect(click.userSees).toBe('关于我们');
    const view = await h.send({ type: 'event', event: 'VIEW', url: 'https://example.com' });
    expect(view.ok).toBe(true);
    expect(view.userSees).toBe('');
  });

  it('welcomes a subscriber with the QR scene, and forgets the user on unsubscribe', async () => {
    const user = newUser();
    const welcome = await h.send({ type: 'event', event: 'subscribe', scene: 'poster42', ticket: 't' }, { user });
    expect(welcome.userSees).toBe('欢迎！来自 poster42');
    await h.send('记住这个', { user });
    expect(await h.gpt.store.getSession(user)).toBeDefined();
    const bye = await h.send({ type: 'event', event: 'unsubscribe' }, { user });
    expect(bye.userSees).toBe('');
    expect(await h.gpt.store.getSession(user)).toBeUndefined();
  });

  it('answers an image with the vision model and keeps it for a follow-up question', async () => {
    const user = newUser();
    const picUrl = 'http://mmbiz.example/cat.jpg';
    const first = await h.send({ type: 'image', picUrl, mediaId: 'm1' }, { user });
    expect(first.ok).toBe(true);
    const followUp = await h.send('图里是什么?', { user });
    expect(followUp.userSees).toBe('echo:图里是什么?');
    const body = h.fake.requests.at(-1)!.body as ChatBody;
    expect(JSON.stringify(body.messages)).toContain(picUrl);
    expect(JSON.stringify(body.messages)).toContain('image_url');
  });

  it('treats voice Recognition as text, and explains how to enable it when missing', async () => {
    expect((await h.send({ type: 'voice', mediaId: 'v', format: 'amr', recognition: '今天天气' })).userSees).toBe(
      'echo:今天天气',
    );
    expect((await h.send({ type: 'voice', mediaId: 'v', format: 'amr' })).userSees).toMatch(/接收语音识别结果/);
  });

  it('passes location and link to the model as text, and answers video politely', async () => {
    const loc = await h.send({ type: 'location', latitude: 23.1, longitude: 113.3, scale: 15, label: '广州塔' });
    expect(loc.userSees).toMatch(/echo:.*广州塔.*23\.1/s);
    const link = await h.send({ type: 'link', title: '好文章', description: '摘要', url: 'https://a.example' });
    expect(link.userSees).toMatch(/好文章/);
    expect((await h.send({ type: 'video', mediaId: 'v', thumbMediaId: 't' })).userSees).toMatch(/视频/);
  });

  it('removes <think> reasoning and turns markdown into plain text', async () => {
    h.fake.script({ reply: '<think>内部推理</think>## 标题\n\n**重点**：这是 `代码`。\n\n- 一\n- 二' });
    const result = await h.send('问');
    expect(result.userSees).not.toContain('内部推理');
    expect(result.userSees).not.toMatch(/\*\*|##|`/);
    expect(result.userSees).toContain('重点');
  });

  it('pages a long answer within 2048 bytes and the continue word returns the rest', async () => {
    const user = newUser();
    const long = Array.from(
      { length: 60 },
      (_, i) => `第${i + 1}段：这是一个很长的回答，用来测试分页功能是否正常。`,
    ).join('\n\n');
    h.fake.script({ reply: long });
    const pages: string[] = [];
    let result = await h.send('写长文', { user });
    pages.push(result.userSees);
    while (/回复「继续」/.test(result.userSees)) {
      result = await h.send('继续', { user });
      pages.push(result.userSees);
    }
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(utf8Bytes(page)).toBeLessThanOrEqual(2048);
    expect(pages[0]).toMatch(/\(2\/\d+\)/);
    expect(pages.join('')).toContain('第60段');
    expect((await h.send('继续', { user })).userSees).toMatch(/没有待发送/);
  });

  it('turns every model failure into a friendly Chinese reply naming the problem', async () => {
    const cases = [
      [{ status: 401 }, /密钥/],
      [{ status: 429 }, /限流/],
      [{ status: 500 }, /服务暂时出错/],
      [{ resetMidStream: true, afterChunks: 1 }, /中断/],
    ] as const;
    for (const [behaviour, expected] of cases) {
      h.fake.script(behaviour);
      const result = await h.send('问题');
      expect(result.ok).toBe(true);
      expect(result.userSees).toMatch(expected);
    }
  });

  it('runs custom handlers before the model, and an error in one never reaches WeChat', async () => {
    h.gpt.bot.use(({ text }) => (text === '自定义' ? { type: 'text', content: '来自 handler' } : undefined));
    h.gpt.bot.use(({ text }) => {
      if (text === '炸了') throw new Error('boom');
      return undefined;
    });
    expect((await h.send('自定义')).userSees).toBe('来自 handler');
    const boom = await h.send('炸了');
    expect(boom.ok).toBe(true);
    expect(boom.userSees).toMatch(/出了点问题/);
  });

  it('one message never causes two model calls, and a retry after completion gets the same reply', async () => {
    const before = h.fake.requests.length;
    const msgId = '24567890123456789';
    const user = newUser();
    const [a, b] = await Promise.all([h.send('同一条', { user, msgId }), h.send('同一条', { user, msgId })]);
    const c = await h.send('同一条', { user, msgId });
    expect(a.userSees).toBe('echo:同一条');
    expect(b.userSees).toBe('echo:同一条');
    expect(c.userSees).toBe('echo:同一条');
    expect(h.fake.requests.length - before).toBe(1);
  });
});

describe('without an API key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        llm: { apiKey: '', baseUrl: 'https://api.openai.com/v1' },
        keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '99' } }],
      },
    });
  });
  afterAll(() => h.close());

  it('answers a clear not-configured notice, while keywords and commands still work', async () => {
    expect((await h.send('你好')).userSees).toMatch(/尚未配置/);
    expect((await h.send('价格')).userSees).toBe('99');
    expect((await h.send('帮助')).userSees).toMatch(/指令/);
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe('limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        limits: { userMessagesPerMinute: 3, maxConcurrentLlmCalls: 1 },
        keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '99' } }],
      },
    });
    h.fake.setDefault({ reply: 'ok', latencyMs: 150 });
  });
  afterAll(() => h.close());

  it('limits messages per user per minute with a friendly reply', async () => {
    const user = newUser();
    const seenTexts: string[] = [];
    for (let i = 0; i < 4; i++) seenTexts.push((await h.send(`q${i}`, { user })).userSees);
    expect(seenTexts.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(seenTexts[3]).toMatch(/太快/);
  });

  it('counts keyword answers (the fast path) against the same limit', async () => {
    const user = newUser();
    const seenTexts: string[] = [];
    for (let i = 0; i < 2; i++) seenTexts.push((await h.send('价格', { user })).userSees);
    seenTexts.push((await h.send('q', { user })).userSees);
    seenTexts.push((await h.send('价格', { user })).userSees);
    expect(seenTexts).toEqual(['99', '99', 'ok', expect.stringMatching(/太快/)]);
  });

  it('caps concurrent model calls and tells the extra users to try later', async () => {
    const results = await Promise.all([h.send('a', { user: newUser() }), h.send('b', { user: newUser() })]);
    const texts = results.map((r) => r.userSees).sort();
    expect(texts[0]).toBe('ok');
    expect(texts[1]).toMatch(/人太多/);
  });
});
