/**
 * Active delivery and media through the WeChat server API (a local fake of api.weixin.qq.com), end to end through the
 * webhook with a WeChat-like client on the compressed clock: late answers are pushed, failed pushes fall back to the
 * outbox, voice is transcribed, pictures are drawn.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { convertToWav } from '../../src/bot/ffmpeg.js';
import { utf8Bytes } from '../../src/bot/paging.js';
import { defaultTexts } from '../../src/config.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

const APP_SECRET = 'appsecret0123456789abcdef01234567';

/** Resolves once `check` returns a value (the push lands in the background). */
async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A stand-in for ffmpeg: answers -version, and turns stdin into a WAV (header + the bytes) on stdout. */
function fakeFfmpeg(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wechat-gpt-ffmpeg-'));
  const path = join(dir, 'ffmpeg');
  writeFileSync(
    path,
    `#!/usr/bin/env node
if (process.argv.includes('-version')) { console.log('ffmpeg version fake'); process.exit(0); }
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const data = Buffer.concat(chunks);
  if (data.toString().startsWith('BROKEN')) { console.error('Invalid data found when processing input'); process.exit(1); }
  const header = Buffer.alloc(44); header.write('RIFF', 0); header.write('WAVE', 8);
  process.stdout.write(Buffer.concat([header, data]));
});
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const texts = (api: FakeWechatApi, user: string) =>
  api
    .pushed(user)
    .filter((item) => item.kind === 'message')
    .map((item) => item.body);

describe('active delivery', () => {
  let h: Harness;
  let api: FakeWechatApi;
  beforeAll(async () => {
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    h = await startHarness({ config: { wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api.url } } });
  });
  beforeEach(() => {
    h.fake.setDefault((req) => {
      const question = lastUserText(req.body as ChatBody);
      const latency = Number(/slow:(\d+)/.exec(question)?.[1] ?? 20);
      const long = question.includes('long');
      return { reply: long ? '很长的回答。'.repeat(400) : `answer:${question}`, latencyMs: latency };
    });
  });
  afterAll(async () => {
    await h.close();
    await api.close();
  });
  afterEach(() => h.fake.reset());

  it('is the default (auto) when AppID and AppSecret are set', () => {
    expect(h.gpt.deliveryMode()).toBe('active');
  });

  it('answers passively when the answer is ready within the budget, and pushes nothing', async () => {
    const user = newUser();
    const result = await h.send('slow:30 quick', { user });
    expect(result.userSees).toBe('answer:slow:30 quick');
    expect(texts(api, user)).toEqual([]);
  });

  it('answers success at once for a slow answer, shows typing, then pushes the answer: one model call', async () => {
    const user = newUser();
    const result = await h.send('slow:900 slow one', { user });
    expect(result.ok).toBe(true);
    expect(result.attempts).toHaveLength(1);
    expect(result.userSees).toBe('');
    const pushed = await eventually(() => texts(api, user)[0]);
    expect(pushed).toMatchObject({ touser: user, msgtype: 'text', text: { content: 'answer:slow:900 slow one' } });
    expect(api.pushed(user)[0]).toMatchObject({ kind: 'typing', body: { command: 'Typing' } });
    expect(h.fake.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(1);
    const record = await eventually(() => h.records.find((r) => r.openid === user && r.replyType === 'text'));
    expect(record).toMatchObject({ delivery: 'push', replyPreview: expect.stringContaining('answer:') });
    // onPush (what the dev console takes under serve --quiet) gets the pushed answer's record and nothing else.
    expect(h.pushRecords.filter((r) => r.openid === user)).toEqual([record]);
  });

  it('pushes a long answer as several messages in order, each within 2048 bytes, without continue hints', async () => {
    const user = newUser();
    await h.send('slow:600 long', { user });
    await eventually(() =>
      h.records.some((r) => r.openid === user && r.delivery === 'push' && r.replyType === 'text') ? true : undefined,
    );
    const pushed = texts(api, user).map((body) => (body.text as { content: string }).content);
    expect(pushed.length).toBeGreaterThan(1);
    for (const page of pushed) {
      expect(utf8Bytes(page)).toBeLessThanOrEqual(2048);
      expect(page).not.toContain('继续');
    }
    expect(pushed.join('')).toBe('很长的回答。'.repeat(400));
    // Nothing was left for the continue word.
    expect((await h.send('继续', { user })).userSees).toMatch(/没有待发送/);
  });

  it('keeps the answer in the outbox when the push fails (45015), and delivers it on the next message', async () => {
    const user = newUser();
    api.inject('/cgi-bin/message/custom/send', 45015);
    await h.send('slow:600 window closed', { user });
    const record = await eventually(() => h.records.find((r) => r.openid === user && r.delivery === 'outbox'));
    expect(record.error).toBe('errcode 45015');
    expect((await h.send('继续', { user })).userSees).toBe('answer:slow:600 window closed');
  });

  it('the API down: the answer waits in the outbox, delivery degrades to passive until a push works again', async () => {
    const api2 = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    const h2 = await startHarness({ config: { wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api2.url } } });
    try {
      h2.fake.setDefault((req) => {
        const question = lastUserText(req.body as ChatBody);
        return { reply: `answer:${question}`, latencyMs: Number(/slow:(\d+)/.exec(question)?.[1] ?? 20) };
      });
      const user = newUser();
      api2.inject('/cgi-bin/message/custom/send', 'outage');
      await h2.send('slow:600 offline', { user });
      await eventually(() => h2.records.find((r) => r.openid === user && r.delivery === 'outbox'));
      expect(h2.gpt.deliveryMode()).toBe('passive');
      const health = (await (await fetch(`${h2.baseUrl}/healthz`)).json()) as {
        status: string;
        deliveryState: { mode: string };
      };
      expect(health).toMatchObject({ status: 'degraded', deliveryState: { mode: 'degraded' } });
      // The next message gets the waiting answer, and its own answer passively: nothing more is pushed into the void.
      const next = await h2.send('slow:10 next question', { user });
      expect(next.userSees).toContain('answer:slow:600 offline');
      expect(next.userSees).toContain('answer:slow:10 next question');
      const slow = await h2.send('slow:1700 while degraded', { user });
      expect(slow.userSees).toBe(defaultTexts.thinking);
      expect((await h2.send('继续', { user })).userSees).toBe('answer:slow:1700 while degraded');
    } finally {
      await h2.close();
      await api2.close();
    }
  });

  it('a slow new question asked while an unpushed answer waits: the waiting answer now, the new one pushed', async () => {
    const user = newUser();
    api.inject('/cgi-bin/message/custom/send', 45015);
    await h.send('slow:600 first', { user });
    await eventually(() => h.records.find((r) => r.openid === user && r.delivery === 'outbox'));
    const next = await h.send('slow:900 second', { user });
    expect(next.userSees).toContain('answer:slow:600 first');
    expect(next.userSees).toContain('想好了马上发给你');
    const pushed = await eventually(() =>
      texts(api, user).find(
        (body) => (body.text as { content?: string } | undefined)?.content === 'answer:slow:900 second',
      ),
    );
    expect(pushed).toMatchObject({ touser: user, msgtype: 'text' });
    expect((await h.gpt.store.summarizeOutbox(user)).unseenAnswers).toBe(0);
  });

  it('switches to passive for the rest of the run on 48001, keeping the answer', async () => {
    const api2 = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    const h2 = await startHarness({ config: { wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api2.url } } });
    try {
      h2.fake.setDefault({ reply: 'late answer', latencyMs: 600 });
      const user = newUser();
      api2.inject('/cgi-bin/message/custom/send', 48001);
      expect(h2.gpt.deliveryMode()).toBe('active');
      await h2.send('first', { user });
      await eventually(() => h2.records.find((r) => r.openid === user && r.delivery === 'outbox'));
      expect(h2.gpt.deliveryMode()).toBe('passive');
      const health = (await (await fetch(`${h2.baseUrl}/healthz`)).json()) as { delivery: string };
      expect(health.delivery).toBe('passive');
      expect((await h2.send('继续', { user })).userSees).toBe('late answer');
      // Now passive: a slow answer is held for WeChat's retry instead of being pushed.
      const passive = await h2.send('second', { user });
      expect(passive.attempts.length).toBeGreaterThan(1);
      expect(passive.userSees).toBe('late answer');
    } finally {
      await h2.close();
      await api2.close();
    }
  });
});

describe('voice and pictures through the media API', () => {
  let h: Harness;
  let api: FakeWechatApi;
  beforeAll(async () => {
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET });
    h = await startHarness({
      config: {
        wechat: { token: TOKEN, appSecret: APP_SECRET, apiBase: api.url },
        media: { ffmpegPath: fakeFfmpeg() },
        // Media work (a process per voice) is not what is timed here: a budget a loaded machine cannot miss.
        timing: { wechatTimeoutMs: 3000, replyBudgetMs: 2700 },
      },
    });
    h.fake.setDefault((req) => ({ reply: `heard:${lastUserText(req.body as ChatBody)}` }));
  });
  afterAll(async () => {
    await h.close();
    await api.close();
  });

  it('transcribes voice without Recognition: download, convert, transcribe, answer', async () => {
    const mediaId = api.addMedia({ type: 'voice', data: Buffer.from('#!AMR fake voice'), contentType: 'audio/amr' });
    h.fake.script({ reply: '今天天气怎么样' }, 'transcriptions');
    const result = await h.send({ type: 'voice', mediaId, format: 'amr' });
    expect(result.userSees).toBe('heard:今天天气怎么样');
    const upload = h.fake.requests.find((r) => r.endpoint === 'transcriptions');
    expect(upload?.body).toMatchObject({ fields: { model: 'whisper-1' }, files: [{ filename: 'voice.wav' }] });
    expect(api.callsTo('/cgi-bin/media/get')[0]?.query.media_id).toBe(mediaId);
  });

  it('explains what went wrong when the voice cannot be converted', async () => {
    const mediaId = api.addMedia({ type: 'voice', data: Buffer.from('BROKEN'), contentType: 'audio/amr' });
    expect((await h.send({ type: 'voice', mediaId, format: 'amr' })).userSees).toMatch(/没能识别/);
  });

  it('draws a picture for /画, uploads it and answers with an image', async () => {
    const result = await h.send('/画 一只在月亮上钓鱼的猫');
    expect(result.reply?.type).toBe('image');
    const mediaId = (result.reply as { mediaId: string }).mediaId;
    expect(api.media.get(mediaId)?.contentType).toBe('image/png');
    expect(h.fake.requests.find((r) => r.endpoint === 'images')?.body).toMatchObject({
      prompt: '一只在月亮上钓鱼的猫',
      model: 'dall-e-3',
    });
    expect((await h.send('/画')).userSees).toBe('用法：/画 一只在月亮上钓鱼的猫');
  });

  it('pushes a picture that takes longer than the budget', async () => {
    const user = newUser();
    h.fake.script({ reply: '', latencyMs: 2900 }, 'images');
    const result = await h.send('/image a slow cat', { user });
    expect(result.userSees).toBe('');
    const pushed = await eventually(() => texts(api, user)[0]);
    expect(pushed).toMatchObject({ msgtype: 'image', image: { media_id: expect.any(String) } });
  });
});

describe('media without AppSecret or ffmpeg', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { media: { ffmpegPath: '/nonexistent/ffmpeg' } } });
  });
  afterAll(() => h.close());

  it('is passive, asks to enable 接收语音识别结果, and says drawing needs AppID and AppSecret', async () => {
    expect(h.gpt.deliveryMode()).toBe('passive');
    expect((await h.send({ type: 'voice', mediaId: 'm1', format: 'amr' })).userSees).toMatch(/接收语音识别结果/);
    expect((await h.send('/画 一只猫')).userSees).toMatch(/AppID 和 AppSecret/);
  });
});

/** `.ci/run` installs ffmpeg with redis-server; a machine without it still runs the stand-in tests above. */
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasFfmpeg)('the real ffmpeg', () => {
  /** One second of AMR-NB 12.2 kbit/s, as WeChat stores voice: the file magic, then 50 frames of 1 + 31 bytes. */
  const amr = Buffer.concat([
    Buffer.from('#!AMR\n'),
    ...Array.from({ length: 50 }, () => Buffer.concat([Buffer.from([0x3c]), randomBytes(31)])),
  ]);

  it('converts WeChat AMR voice to 16 kHz mono WAV', async () => {
    const wav = await convertToWav(amr, { path: 'ffmpeg' });
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(16_000);
    expect(wav.length).toBeGreaterThan(16_000);
  });

  it("rejects what is not audio with ffmpeg's own words", async () => {
    await expect(convertToWav(Buffer.from('not audio at all'), { path: 'ffmpeg' })).rejects.toThrow(/ffmpeg failed/);
  });
});
