/**
 * The fast path: every deterministic answer (a subscribe's welcome, other events' `success`, a menu CLICK's keyword,
 * the help and reset commands, keyword rules) goes out without a job — no dedupe claim, no job record — and is the
 * answer the full path gives. A question for the model, or anything a custom handler may answer, still takes a job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKey } from '../../src/bot/job-key.js';
import type { InboundMessage } from '../../src/wechat/types.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';

describe('answers without a job', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        keywords: [
          { match: 'exact', pattern: '价格', reply: { type: 'text', content: '基础版 99 元/月' } },
          { match: 'exact', pattern: 'MENU_ABOUT', reply: { type: 'text', content: '关于我们' } },
        ],
        texts: { welcome: '欢迎！{scene}' },
      },
    });
    h.fake.setDefault({ reply: 'from the model' });
  });
  afterAll(() => h.close());

  const hasJob = (message: InboundMessage) => h.gpt.store.getJob(jobKey(message)).then(Boolean);

  it.each([
    ['a subscribe event: the welcome', { type: 'event', event: 'subscribe' }, '欢迎！', 'event'],
    [
      'a LOCATION event: success',
      { type: 'event', event: 'LOCATION', latitude: 1, longitude: 2, precision: 3 },
      '',
      'event',
    ],
    ['a menu CLICK with a keyword', { type: 'event', event: 'CLICK', key: 'MENU_ABOUT' }, '关于我们', 'keyword'],
    [
      'an unknown event: success',
      { type: 'event', event: 'other', name: 'user_pay_from_pay_cell', raw: {} },
      '',
      'event',
    ],
    ['a keyword', { type: 'text', content: '价格' }, '基础版 99 元/月', 'keyword'],
  ] as const)('%s', async (_name, message, expected, source) => {
    const result = await h.send(message as Partial<InboundMessage>, { user: newUser() });
    expect(result.userSees).toBe(expected);
    expect(await hasJob(result.message)).toBe(false);
    expect(h.records.at(-1)).toMatchObject({ source, delivery: 'passive', attempt: 1 });
  });

  it('the help and reset commands; reset forgets the conversation', async () => {
    const user = newUser();
    await h.send('记住我叫小明', { user });
    expect(await h.gpt.store.getSession(user)).toBeDefined();
    const help = await h.send('帮助', { user });
    expect(help.userSees).toBe(h.gpt.config.texts.help);
    expect(await hasJob(help.message)).toBe(false);
    const reset = await h.send('清除记忆', { user });
    expect(reset.userSees).toBe(h.gpt.config.texts.reset);
    expect(await hasJob(reset.message)).toBe(false);
    expect(await h.gpt.store.getSession(user)).toBeUndefined();
  });

  it('an unsubscribe forgets the conversation and answers success', async () => {
    const user = newUser();
    await h.send('记住我叫小红', { user });
    const result = await h.send({ type: 'event', event: 'unsubscribe' }, { user });
    expect(result.userSees).toBe('');
    expect(await hasJob(result.message)).toBe(false);
    expect(await h.gpt.store.getSession(user)).toBeUndefined();
  });

  it('a question for the model takes a job', async () => {
    const result = await h.send('你好', { user: newUser() });
    expect(result.userSees).toBe('from the model');
    expect(await hasJob(result.message)).toBe(true);
  });
});

describe('with a custom handler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.gpt.bot.use(({ message }) =>
      message.type === 'event' && message.event === 'subscribe'
        ? { type: 'text', content: 'from the handler' }
        : undefined,
    );
  });
  afterAll(() => h.close());

  it('events go to the handler, through a job; commands still need none', async () => {
    const welcome = await h.send({ type: 'event', event: 'subscribe' }, { user: newUser() });
    expect(welcome.userSees).toBe('from the handler');
    expect(await h.gpt.store.getJob(jobKey(welcome.message))).toBeDefined();
    const help = await h.send('帮助', { user: newUser() });
    expect(help.userSees).toBe(h.gpt.config.texts.help);
    expect(await h.gpt.store.getJob(jobKey(help.message))).toBeUndefined();
  });
});
