// The memory store: the shared contract on a compressed clock, plus its bound, reclaiming and footprint.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.js';
import { runStoreContract } from './store.contract.js';

/** A clock that moves only when told: TTL rules without real sleeps. */
function manualClock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

runStoreContract('memory', async ({ outboxTtlMs }) => {
  const clock = manualClock();
  return {
    store: createMemoryStore({ now: clock.now, ...(outboxTtlMs ? { outboxTtlMs } : {}) }),
    advance: clock.advance,
  };
});

describe('memory store snapshots (what serve keeps across a restart)', () => {
  it('carries waiting answers (claimed pages put back), pending marks and conversations, with their expiry', async () => {
    const clock = manualClock();
    const before = createMemoryStore({ now: clock.now });
    await before.claimAttempt('msg:1', 'oSnap', 60_000);
    await before.deferJob('msg:1');
    await before.completeJob(
      'msg:1',
      {
        reply: { type: 'text', content: '第一页' },
        morePages: [{ type: 'text', content: '第二页' }],
        question: '问',
        meta: { source: 'llm' },
      },
      { ttlMs: 60_000 },
    );
    const claimed = await before.claimOutbox('oSnap', 60_000); // a reply carrying it was never written
    expect(claimed?.reply).toEqual({ type: 'text', content: '第一页' });
    await before.sendToOutbox('msg:2', 'oSnap', 60_000);
    await before.setSession('oSnap', { turns: [{ role: 'user', content: '你好', at: 1 }], updatedAt: 1 }, 30_000);
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
    await before.close();

    clock.advance(10_000);
    const after = createMemoryStore({ now: clock.now });
    after.restore(snapshot);
    expect(await after.summarizeOutbox('oSnap')).toEqual({ unseenAnswers: 1, pages: 2 });
    expect(await after.claimUnseenAnswer('oSnap', 1000)).toMatchObject({
      reply: { content: '第一页' },
      question: '问',
    });
    expect(await after.pendingAnswers('oSnap')).toEqual(['msg:2']);
    expect((await after.getSession('oSnap'))?.turns).toHaveLength(1);
    clock.advance(25_000); // the conversation's idle time ran out while the process was down
    expect(await after.getSession('oSnap')).toBeUndefined();
    await after.close();
  });
});

describe('memory store', () => {
  it('holds at most maxKeys entries, evicting the least recently used', async () => {
    const store = createMemoryStore({ maxKeys: 100 });
    for (let i = 0; i < 300; i++) await store.setValue(`k${i}`, String(i), 60_000);
    expect(store.size).toBeLessThanOrEqual(100);
    expect(await store.getValue('k299')).toBe('299');
    expect(await store.getValue('k0')).toBeUndefined();
    await store.close();
  });

  it('bounds every kind together, and a read keeps a key warm', async () => {
    const store = createMemoryStore({ maxKeys: 3 });
    await store.setSession('oA', { turns: [], updatedAt: 1 }, 60_000);
    await store.claimAttempt('job', 'oA', 60_000);
    await store.addToTally('tally', 'oA', 1, 60_000);
    expect(await store.getSession('oA')).toBeDefined(); // oA is now the most recently used
    await store.setValue('v', 'x', 60_000);
    expect(store.size).toBe(3);
    expect(await store.getJob('job')).toBeUndefined();
    expect(await store.getSession('oA')).toBeDefined();
    expect(await store.getValue('v')).toBe('x');
    await store.close();
  });

  it("keeps rate counters under a bound of their own: a flood of new users' counters evicts nobody's conversation", async () => {
    const store = createMemoryStore({ maxKeys: 3 });
    await store.setSession('oA', { turns: [], updatedAt: 1 }, 60_000);
    for (let i = 0; i < 50; i++) await store.hit(`rate:o${i}`, 60_000);
    expect(await store.getSession('oA')).toBeDefined();
    expect(store.size).toBeLessThanOrEqual(1 + 2 * 3);
    await store.close();
  });

  it('hides expired entries at once and reclaims them lazily, by writes, by sweep() and by the timer', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, sweepIntervalMs: 20 });
    for (let i = 0; i < 10; i++) await store.setValue(`old${i}`, 'x', 100);
    clock.advance(100);
    expect(await store.getValue('old0')).toBeUndefined();
    expect(store.size).toBe(9); // reading an expired entry reclaims it
    for (let i = 0; i < 5; i++) await store.setValue(`new${i}`, 'x', 1000);
    expect(store.size).toBe(5); // each write reclaims expired entries from the cold end
    clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(store.size).toBe(0); // the periodic sweep
    await store.setSession('oS', { turns: [], updatedAt: 1 }, 10);
    clock.advance(10);
    expect(store.sweep()).toBe(1);
    expect(store.size).toBe(0);
    await store.close();
  });

  it('runs on the real clock by default', async () => {
    const store = createMemoryStore();
    await store.setValue('v', 'x', 50);
    expect(await store.getValue('v')).toBe('x');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.getValue('v')).toBeUndefined();
    await store.close();
  });

  it('ends pending waits when closed', async () => {
    const store = createMemoryStore();
    await store.claimAttempt('job', 'oA', 60_000);
    const waiting = store.waitForJob('job', 10_000);
    await store.close();
    expect(await waiting).toBeUndefined();
  });

  it('holds 100,000 idle sessions in a modest heap, without keeping the request bodies their ids came from', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = createMemoryStore({ now: () => 1_700_000_000_000 });
    const users = 100_000;
    const session = {
      turns: [
        { role: 'user' as const, content: '今天天气怎么样？', at: 1_700_000_000_000 },
        { role: 'assistant' as const, content: '我无法查询实时天气，建议查看天气预报。', at: 1_700_000_001_000 },
      ],
      updatedAt: 1_700_000_001_000,
    };
    // Kept as objects of its own, about the size of its JSON (with Chinese in it, two bytes a character): the yardstick.
    const jsonBytes = 2 * JSON.stringify(session).length;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < users; i++) {
      // The openid is a slice of a 2 KB body, as a parsed message gives it.
      const body = `<xml><FromUserName>o${String(i).padStart(27, '0')}</FromUserName>${'x'.repeat(2048)}</xml>`;
      const openid = body.slice(19, 47);
      await store.setSession(openid, session, 30 * 60_000);
    }
    gc();
    const perSession = (process.memoryUsage().heapUsed - before) / users;
    expect(store.size).toBe(users);
    // Key, entry and map slot add ~150 bytes to the conversation (~500 in all here); a kept body would add 4 KB.
    expect(perSession - jsonBytes).toBeLessThan(250);
    expect(await store.getSession(`o${'0'.repeat(27)}`)).toMatchObject({ updatedAt: 1_700_000_001_000 });
    await store.close();
  });
});
