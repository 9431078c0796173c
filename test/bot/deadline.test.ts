/**
 * The 5-second rule on a compressed clock (WeChat's timeout 500 ms, reply budget 450 ms, 3 attempts): whenever the
 * model finishes, the user gets the answer and WeChat never shows its error page; one message, one model call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

/** The fake model answers "answer:<question>" after the latency written in the question: "slow:700 …". */
function latencyOf(question: string): number {
  const match = /slow:(\d+)/.exec(question);
  return match ? Number(match[1]) : 20;
}

describe('deadline coordinator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '99 元' } }] },
    });
    h.fake.setDefault((req) => {
      const question = lastUserText(req.body as ChatBody);
      return { reply: `answer:${question}`, latencyMs: latencyOf(question) };
    });
  });
  afterAll(() => h.close());

  const callsFor = (question: string) =>
    h.fake.requests.filter((r) => lastUserText(r.body as ChatBody) === question).length;

  it('answers on attempt 1 when the model is quick', async () => {
    const result = await h.send('slow:50 q1');
    expect(result.userSees).toBe('answer:slow:50 q1');
    expect(result.attempts).toHaveLength(1);
  });

  it('sends an answer that lands after the budget on the attempt still open (no poll gap)', async () => {
    const result = await h.send('slow:470 q2');
    expect(result.userSees).toBe('answer:slow:470 q2');
    expect(result.attempts).toHaveLength(1);
  });

  it('answers on attempt 2 as soon as the answer is ready, with one model call', async () => {
    const result = await h.send('slow:750 q3');
    expect(result.userSees).toBe('answer:slow:750 q3');
    expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'reply']);
    // The second attempt arrives at ~500 ms and is answered when the model finishes (~750 ms), not at its budget.
    expect(result.attempts[1]!.latencyMs).toBeLessThan(400);
    expect(callsFor('slow:750 q3')).toBe(1);
  });

  it('answers on attempt 3', async () => {
    const result = await h.send('slow:1250 q4');
    expect(result.userSees).toBe('answer:slow:1250 q4');
    expect(result.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'reply']);
    expect(callsFor('slow:1250 q4')).toBe(1);
  });

  it('answers the thinking notice on the last attempt and keeps the answer for the continue word', async () => {
    const user = newUser();
    const first = await h.send('slow:1800 q5', { user });
    expect(first.ok).toBe(true);
    expect(first.userSees).toMatch(/正在思考中/);
    expect(first.attempts).toHaveLength(3);
    // The continue word waits for the answer still being prepared, then delivers it.
    const next = await h.send('继续', { user });
    expect(next.userSees).toBe('answer:slow:1800 q5');
    expect(callsFor('slow:1800 q5')).toBe(1);
  });

  it('does not swallow a new question: its reply delivers the waiting answer and answers the new one too', async () => {
    const user = newUser();
    const first = await h.send('slow:1600 q6', { user });
    expect(first.userSees).toMatch(/正在思考中/);
    await new Promise((r) => setTimeout(r, 400)); // the answer lands in the outbox
    const second = await h.send('slow:30 q7', { user });
    expect(second.userSees).toContain('answer:slow:1600 q6');
    expect(second.userSees).toContain('slow:1600 q6」的回答');
    expect(second.userSees).toContain('answer:slow:30 q7');
    expect(await h.gpt.store.summarizeOutbox(user)).toMatchObject({ unseenAnswers: 0 });
  });

  it('a keyword asked while an answer waits gets both: the waiting answer and the keyword reply', async () => {
    const user = newUser();
    expect((await h.send('slow:1600 q10', { user })).userSees).toMatch(/正在思考中/);
    await new Promise((r) => setTimeout(r, 400));
    const second = await h.send('价格', { user });
    expect(second.userSees).toContain('answer:slow:1600 q10');
    expect(second.userSees).toContain('99 元');
    expect((await h.send('价格', { user })).userSees).toBe('99 元');
  });

  it('a slow new question asked while an answer waits follows into the outbox', async () => {
    const user = newUser();
    await h.send('slow:1600 q8', { user });
    await new Promise((r) => setTimeout(r, 400));
    const second = await h.send('slow:900 q9', { user });
    expect(second.userSees).toContain('answer:slow:1600 q8');
    expect(second.userSees).toMatch(/新问题还在思考中/);
    const third = await h.send('继续', { user });
    expect(third.userSees).toContain('answer:slow:900 q9');
    expect(callsFor('slow:900 q9')).toBe(1);
  });

  it('a long waiting answer keeps every page in order, and the new answer follows them', async () => {
    const user = newUser();
    const long = '这是一个很长的回答，每一句都要送到。'.repeat(150); // ~8 KB: several pages
    h.fake.script({ reply: long, latencyMs: 1600 });
    expect((await h.send('slow:1600 long', { user })).userSees).toMatch(/正在思考中/);
    await new Promise((r) => setTimeout(r, 400));
    const pages = [(await h.send('slow:10 after', { user })).userSees];
    for (let i = 0; i < 10; i++) {
      const next = (await h.send('继续', { user })).userSees;
      if (next.includes('answer:slow:10 after') || next.includes('没有待发送')) {
        pages.push(next);
        break;
      }
      pages.push(next);
    }
    expect(pages.at(-1)).toContain('answer:slow:10 after');
    const text = pages
      .slice(0, -1)
      .map((page) => page.replace(/^你之前问的「[^」]*」的回答：\n\n/, '').replace(/\n\n（[^）]*）$/, ''))
      .join('');
    expect(text.replace(/\s/g, '')).toBe(long);
  });

  it('reports how each answer was delivered', () => {
    const deliveries = new Set(h.records.map((r) => r.delivery));
    expect(deliveries).toContain('passive');
    expect(deliveries).toContain('retry');
    expect(deliveries).toContain('outbox');
    expect(deliveries).toContain('dropped');
  });
});

describe('an answer lost with its instance', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { llm: { timeoutMs: 300 } } });
  });
  afterAll(() => h.close());

  it('the continue word says so once no model call could still be running, instead of waiting forever', async () => {
    const user = newUser();
    // What a crashed instance leaves behind: a deferred job nobody works on, and the user's pending mark.
    await h.gpt.store.claimAttempt('msg:lost-with-its-instance', user, 60_000);
    await h.gpt.store.deferJob('msg:lost-with-its-instance');
    await h.gpt.store.setValue(`pending:${user}`, 'msg:lost-with-its-instance', 60_000);
    const result = await h.send('继续', { user });
    expect(result.ok).toBe(true);
    expect(result.userSees).toBe(defaultTexts.answerLost);
    expect((await h.send('继续', { user })).userSees).toBe(defaultTexts.nothingPending);
  });
});
