/**
 * WeChat's 5-second rule on fake timers at real timing: whenever the model finishes, the user gets the answer and
 * WeChat never shows its error page; one message, one model call. Faults of the store (slow, failing, losing its data)
 * and a shutdown keep the same promises.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inferAttempt } from '../../src/bot/deadline.js';
import { defaultTexts, type Logger, resolveConfig } from '../../src/config.js';
import { StoreError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore, type MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import { type Engine, engineForEachTest, engineUser, settle, startEngine, useEngineClock } from '../support/engine.js';

const ask = (engine: Engine, question: string, delayMs: number, reply = `答:${question}`) => {
  engine.model.script(question, { reply, delayMs });
  return reply;
};

describe('the attempt a request is, from its CreateTime', () => {
  const timing = resolveConfig({ wechat: { token: 'abcdef' } }).timing;
  const at = (createSec: number, offsetMs: number) => inferAttempt(createSec, createSec * 1000 + offsetMs, timing);

  it('reads attempts 1, 2 and 3 from their usual arrival, whatever the fraction of the second', () => {
    for (const fraction of [0, 300, 999]) {
      expect(at(1000, fraction + 50)).toBe(1);
      expect(at(1000, fraction + 5050)).toBe(2);
      expect(at(1000, fraction + 10_050)).toBe(3);
    }
  });

  it('allows for a clock a little off, and gives 1 for a CreateTime WeChat cannot still be retrying', () => {
    expect(at(1000, 2400)).toBe(1); // this server's clock 2 s ahead
    expect(at(1000, 9200)).toBe(3); // about 1 s behind, attempt 3
    expect(at(1000, -500)).toBe(1); // CreateTime in the future
    expect(at(1000, 60_000)).toBe(1); // a replay long after
    expect(inferAttempt(1_700_000_000_000, Date.now(), timing)).toBe(1); // CreateTime in milliseconds
  });
});

describe('answering within the 5-second rule', () => {
  let engine: Engine;
  engineForEachTest((started) => {
    engine = started;
  });

  it('answers on attempt 1 when the model is quick', async () => {
    const reply = ask(engine, '快', 300);
    const sent = await engine.send('快');
    expect(sent.attempts).toMatchObject([{ n: 1, outcome: 'reply', text: reply, delivery: 'passive', tookMs: 300 }]);
  });

  it('sends an answer that lands after the budget on the attempt still open (held, no poll gap)', async () => {
    const reply = ask(engine, '刚好', 4800);
    const sent = await engine.send('刚好');
    expect(sent.attempts).toMatchObject([{ n: 1, outcome: 'reply', text: reply, tookMs: 4800 }]);
  });

  it('answers on attempt 2 the moment the answer is ready, with one model call', async () => {
    const reply = ask(engine, '七秒', 7000);
    const sent = await engine.send('七秒');
    expect(sent.attempts).toMatchObject([
      { n: 1, outcome: 'dropped', tookMs: 5000 },
      { n: 2, outcome: 'reply', text: reply, delivery: 'retry', at: 5000, tookMs: 2000 },
    ]);
    expect(engine.model.questions).toEqual(['七秒']);
  });

  it('answers on attempt 3', async () => {
    const reply = ask(engine, '十二秒', 12_000);
    const sent = await engine.send('十二秒');
    expect(sent.attempts.map((a) => a.outcome)).toEqual(['dropped', 'dropped', 'reply']);
    expect(sent.attempts[2]).toMatchObject({ text: reply, tookMs: 2000 });
    expect(engine.model.questions).toHaveLength(1);
  });

  it('answers the thinking notice within the budget of attempt 3; the continue word waits for the answer', async () => {
    const user = engineUser();
    const reply = ask(engine, '二十秒', 20_000);
    const first = await engine.send('二十秒', { user });
    expect(first.attempts[2]).toMatchObject({ text: defaultTexts.thinking, delivery: 'outbox', tookMs: 4500 });
    const next = await engine.send('继续', { user });
    expect(next.userSees).toBe(reply);
    // Asked at ~14.5 s, the answer lands at 20 s: the continue word's own attempts follow the rules.
    expect(next.attempts.map((a) => a.outcome)).toEqual(['dropped', 'reply']);
    expect(engine.model.questions).toEqual(['二十秒']);
    expect((await engine.send('继续', { user })).userSees).toBe(defaultTexts.nothingPending);
  });

  it('keeps a mark per slow question: three in a row, each answer comes with the continue word', async () => {
    const user = engineUser();
    const replies = ['一', '二', '三'].map((q) => ask(engine, q, 30_000));
    for (const question of ['一', '二', '三']) {
      expect((await engine.send(question, { user })).userSees).toMatch(/正在思考中/);
    }
    await vi.advanceTimersByTimeAsync(30_000);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await engine.send('继续', { user })).userSees);
    // The second and third were new questions asked while the first waited: each went to the outbox too.
    expect(seen.join('\n')).toContain(replies[0]);
    expect(seen.join('\n')).toContain(replies[1]);
    expect(seen.join('\n')).toContain(replies[2]);
    expect(engine.model.questions).toHaveLength(3);
  });
});

describe('answers that wait, and new questions', () => {
  let engine: Engine;
  engineForEachTest(
    (started) => {
      engine = started;
    },
    { config: { keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '99 元' } }] } },
  );

  /** Asks a question that ends with the notice, and lets its answer land in the outbox. */
  async function waitingAnswer(user: string, question: string, reply?: string): Promise<string> {
    const answer = ask(engine, question, 16_000, reply);
    expect((await engine.send(question, { user })).userSees).toBe(defaultTexts.thinking);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await engine.store.summarizeOutbox(user)).toMatchObject({ unseenAnswers: 1 });
    return answer;
  }

  it('does not swallow a new question: its reply delivers the waiting answer and answers the new one too', async () => {
    const user = engineUser();
    const waiting = await waitingAnswer(user, '先问的');
    const fresh = ask(engine, '后问的', 300);
    const second = await engine.send('后问的', { user });
    expect(second.userSees).toContain(waiting);
    expect(second.userSees).toContain('先问的」的回答');
    expect(second.userSees).toContain(fresh);
    expect(await engine.store.summarizeOutbox(user)).toMatchObject({ unseenAnswers: 0 });
  });

  it('a keyword asked while an answer waits gets both: the waiting answer and the keyword reply', async () => {
    const user = engineUser();
    const waiting = await waitingAnswer(user, '等着的');
    const second = await engine.send('价格', { user });
    expect(second.userSees).toContain(waiting);
    expect(second.userSees).toContain('99 元');
    expect((await engine.send('价格', { user })).userSees).toBe('99 元');
  });

  it('a slow new question asked while an answer waits follows into the outbox', async () => {
    const user = engineUser();
    const waiting = await waitingAnswer(user, '第一个');
    const fresh = ask(engine, '第二个', 9000);
    const second = await engine.send('第二个', { user });
    expect(second.userSees).toContain(waiting);
    expect(second.userSees).toMatch(/新问题还在思考中/);
    const third = await engine.send('继续', { user });
    expect(third.userSees).toContain(fresh);
    expect(engine.model.questions.filter((q) => q === '第二个')).toHaveLength(1);
  });

  it('a long waiting answer keeps every page in order, and the new answer follows them', async () => {
    const user = engineUser();
    const long = '这是一个很长的回答，每一句都要送到。'.repeat(150); // ~8 KB: several pages
    await waitingAnswer(user, '长问题', long);
    const fresh = ask(engine, '之后', 10);
    const pages = [(await engine.send('之后', { user })).userSees];
    for (let i = 0; i < 10 && !pages.at(-1)!.includes(fresh); i++)
      pages.push((await engine.send('继续', { user })).userSees);
    expect(pages.at(-1)).toContain(fresh);
    const text = pages
      .slice(0, -1)
      .map((page) => page.replace(/^你之前问的「[^」]*」的回答：\n\n/, '').replace(/\n\n（[^）]*）$/, ''))
      .join('');
    expect(text.replace(/\s/g, '')).toBe(long);
  });

  it('a page whose reply was never written comes back with the next 继续', async () => {
    const user = engineUser();
    const long = '分页的回答，一句一句地送。'.repeat(200);
    ask(engine, '分页', 100, long);
    const first = await engine.send('分页', { user });
    expect(first.userSees).toMatch(/继续/);
    // The continue word's reply is lost on the way (never written): its page is not gone.
    const lost = await engine.bot.respond(
      { type: 'text', content: '继续', fromUser: user, toUser: 'gh_engine', createTime: 1, msgId: '42' },
      {},
    );
    expect(lost.reply?.type).toBe('text');
    await vi.advanceTimersByTimeAsync(25_000); // the claim's lease runs out
    const again = await engine.send('继续', { user });
    expect(again.userSees).toBe(lost.reply?.type === 'text' ? lost.reply.content : '');
  });

  it('reports how each answer was delivered', async () => {
    const user = engineUser();
    ask(engine, '快的', 10);
    ask(engine, '慢的', 7000);
    await engine.send('快的', { user });
    await engine.send('慢的', { user });
    await waitingAnswer(engineUser(), '很慢的');
    const deliveries = new Set(engine.records.map((r) => r.delivery));
    expect([...deliveries].sort()).toEqual(['dropped', 'outbox', 'passive', 'retry']);
  });
});

/** The memory store, with faults injected per operation (a slow or failing backend). */
function faultyStore(inner: MemoryStore) {
  let fault: { kind: 'slow'; ms: number } | { kind: 'down' } | undefined;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      // Its calls may now take time or fail: it is no longer a store whose calls are done when they return.
      if (property === 'inProcess') return false;
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'close' || property === 'flush') return value;
      return (...args: unknown[]) => {
        const run = () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (fault?.kind === 'down') return Promise.reject(new StoreError('injected: store down'));
        if (fault?.kind === 'slow') {
          const ms = fault.ms;
          return new Promise((resolve) => setTimeout(resolve, ms)).then(run);
        }
        return run();
      };
    },
  }) as Store;
  return {
    store,
    slow: (ms: number) => {
      fault = { kind: 'slow', ms };
    },
    down: () => {
      fault = { kind: 'down' };
    },
    heal: () => {
      fault = undefined;
    },
  };
}

describe('store faults', () => {
  let engine: Engine;
  let memory: MemoryStore;
  let faults: ReturnType<typeof faultyStore>;
  beforeEach(() => {
    useEngineClock();
    memory = createMemoryStore();
    faults = faultyStore(memory);
    engine = startEngine({ store: faults.store });
  });
  afterEach(async () => {
    faults.heal();
    await engine.close();
    await memory.close();
    vi.useRealTimers();
  });

  it('a store stalled through attempt 3 of a 20 s answer: the notice still goes out in time, the answer via 继续', async () => {
    const user = engineUser();
    const reply = ask(engine, '存储卡住', 20_000);
    const sending = engine.deliver('存储卡住', { user });
    await vi.advanceTimersByTimeAsync(9900);
    faults.slow(5000);
    const first = await settle(sending);
    expect(first.errorPage).toBe(false);
    expect(first.attempts[2]).toMatchObject({ text: defaultTexts.thinking });
    expect(first.attempts[2]!.tookMs).toBeLessThan(5000);
    faults.heal();
    await vi.advanceTimersByTimeAsync(15_000);
    expect((await engine.send('继续', { user })).userSees).toBe(reply);
    expect(engine.model.questions).toHaveLength(1);
  });

  it('a store that answers nothing at all: the answer still arrives on its attempt, one model call', async () => {
    const user = engineUser();
    const reply = ask(engine, '全卡住', 7000);
    faults.slow(60_000);
    const sent = await engine.send('全卡住', { user });
    expect(sent.userSees).toBe(reply);
    expect(sent.attempts.map((a) => a.outcome)).toEqual(['dropped', 'reply']);
    expect(engine.model.questions).toHaveLength(1);
    faults.heal();
  });

  it('a store that is down: the model still answers (without the conversation), on attempt 1', async () => {
    const reply = ask(engine, '宕机', 300);
    faults.down();
    const sent = await engine.send('宕机');
    expect(sent.attempts).toMatchObject([{ n: 1, outcome: 'reply', text: reply }]);
    faults.heal();
  });

  it('the store loses its data 2 s into a 20 s answer: no second model call, no held last attempt', async () => {
    const user = engineUser();
    const reply = ask(engine, '数据丢了', 20_000);
    const sending = engine.deliver('数据丢了', { user });
    await vi.advanceTimersByTimeAsync(2000);
    memory.flush();
    const first = await settle(sending);
    expect(first.errorPage).toBe(false);
    expect(first.attempts.map((a) => a.outcome)).toEqual(['dropped', 'dropped', 'reply']);
    expect(first.attempts[2]).toMatchObject({ text: defaultTexts.thinking });
    expect(engine.model.questions).toEqual(['数据丢了']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await engine.send('继续', { user })).userSees).toBe(reply);
  });

  it('a retry meets a store outage while an 8 s answer is written: the retry gets it, nothing is lost', async () => {
    const user = engineUser();
    const reply = ask(engine, '八秒', 8000);
    const sending = engine.deliver('八秒', { user });
    await vi.advanceTimersByTimeAsync(4900);
    faults.down();
    const sent = await settle(sending);
    expect(sent.userSees).toBe(reply);
    expect(sent.attempts[1]).toMatchObject({ n: 2, outcome: 'reply' });
    faults.heal();
  });

  it('an answer finished while the store is down reaches the outbox once the store is back', async () => {
    const user = engineUser();
    const reply = ask(engine, '宕机时完成', 16_000);
    const first = await engine.send('宕机时完成', { user });
    expect(first.userSees).toMatch(/正在思考中/);
    faults.down();
    await vi.advanceTimersByTimeAsync(3000); // the answer lands at 16 s, the store is down
    faults.heal();
    await vi.advanceTimersByTimeAsync(3000); // retried with backoff
    expect((await engine.send('继续', { user })).userSees).toBe(reply);
  });
});

describe('a conversation that cannot be saved', () => {
  it('a bug in saving it (not a store outage): the answer still goes out on attempt 1, logged as an error', async () => {
    useEngineClock();
    const memory = createMemoryStore();
    // The memory store, but its appendTurns fails the way a bug does (not a StoreError).
    const store = new Proxy(memory, {
      get(target, property, receiver) {
        if (property === 'appendTurns') return () => Promise.reject(new TypeError('appendTurns is broken'));
        return Reflect.get(target, property, receiver) as unknown;
      },
    }) as Store;
    const errors: { fields: Record<string, unknown>; message: string }[] = [];
    const logger: Logger = {
      ...silentLogger,
      error: (fields: Record<string, unknown>, message: string) => errors.push({ fields, message }),
    };
    const engine = startEngine({ store, logger });
    try {
      const user = engineUser();
      const reply = ask(engine, '存不下', 10);
      const sent = await engine.send('存不下', { user });
      expect(sent.attempts).toMatchObject([{ n: 1, outcome: 'reply', text: reply }]);
      expect(errors).toEqual([
        {
          fields: expect.objectContaining({ err: 'appendTurns is broken' }),
          message: 'saving the conversation failed',
        },
      ]);
      // Nothing was kept: the next question reaches the model without the first one.
      expect(await memory.getSession(user)).toBeUndefined();
    } finally {
      await engine.close();
      await memory.close();
      vi.useRealTimers();
    }
  });
});

describe('an instance that is gone', () => {
  let engine: Engine;
  engineForEachTest((started) => {
    engine = started;
  });

  it("takes over a message whose first instance died: WeChat's retry gets the answer, with one model call", async () => {
    const user = engineUser();
    const msgId = '7300000000000000001';
    const reply = ask(engine, '被遗弃的问题', 500);
    // What a crashed instance leaves behind: attempt 1 claimed, no lease renewed, no answer coming.
    await engine.store.claimAttempt(`msg:${msgId}`, user, 60_000);
    await vi.advanceTimersByTimeAsync(5000);
    const sent = await engine.send('被遗弃的问题', { user, msgId });
    expect(sent.userSees).toBe(reply);
    expect(engine.model.questions).toHaveLength(1);
  });

  it('takes over while waiting: the instance holding the message dies mid-attempt, its lease runs out', async () => {
    const user = engineUser();
    const msgId = '7300000000000000002';
    const reply = ask(engine, '主人走了', 500);
    // Another instance claimed the message and renewed its lease (7.5 s) once, then died.
    await engine.store.claimAttempt(`msg:${msgId}`, user, 60_000);
    await engine.store.renewLease(`msg:${msgId}`, { openid: user, leaseMs: 7500, ttlMs: 60_000 });
    const sent = await engine.send('主人走了', { user, msgId });
    expect(sent.userSees).toBe(reply);
    expect(sent.attempts.map((a) => a.outcome)).toEqual(['dropped', 'reply']);
    // The lease ends at 7.5 s, seen 100 ms later; the model takes 500 ms.
    expect(sent.attempts[1]!.at + sent.attempts[1]!.tookMs).toBe(8100);
    expect(engine.model.questions).toHaveLength(1);
  });

  it('the continue word says the answer was lost once nobody works on it any more', async () => {
    const user = engineUser();
    await engine.store.claimAttempt('msg:lost-with-its-instance', user, 60_000);
    await engine.store.sendToOutbox('msg:lost-with-its-instance', user, 60_000);
    const sent = await engine.send('继续', { user });
    expect(sent.errorPage).toBe(false);
    expect(sent.userSees).toBe(defaultTexts.answerLost);
    expect((await engine.send('继续', { user })).userSees).toBe(defaultTexts.nothingPending);
  });
});

describe('shutdown', () => {
  beforeEach(() => useEngineClock());
  afterEach(() => vi.useRealTimers());

  it('answers every held attempt at once; answers finishing during the drain wait in the outbox', async () => {
    const store = createMemoryStore();
    const engine = startEngine({ store });
    const users = [engineUser(), engineUser(), engineUser()];
    const replies = users.map((_, i) => ask(engine, `慢${i}`, 2000 + i * 3000));
    const sending = users.map((user, i) => engine.deliver(`慢${i}`, { user }));
    await vi.advanceTimersByTimeAsync(1000);
    engine.bot.shutdown();
    const sent = await settle(Promise.all(sending));
    for (const result of sent) {
      expect(result.errorPage).toBe(false);
      expect(result.attempts).toMatchObject([{ n: 1, outcome: 'reply', text: defaultTexts.thinking, tookMs: 1000 }]);
    }
    expect(await settle(engine.bot.drain(10_000))).toBe(true);
    for (const [i, user] of users.entries()) {
      expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 1 });
      const next = await store.claimOutbox(user, 1000);
      expect(next?.reply).toEqual({ type: 'text', content: replies[i] });
    }
    await engine.close();
    await store.close();
  });
});
