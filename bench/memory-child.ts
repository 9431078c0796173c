/**
 * Measures the memory store in a fresh process (run with --expose-gc): RSS and heap before and after writing the
 * sessions of `users` users into a store bounded at `maxKeys`, then the time of one key read again and again. Prints
 * one JSON line. Run by bench/memory.ts.
 */
import { createMemoryStore } from '../src/store/memory.js';
import type { Session } from '../src/store/types.js';

export interface MemorySample {
  rss: number;
  heapUsed: number;
}

export interface MemoryRun {
  users: number;
  maxKeys: number;
  /** Entries held after the users' sessions went in. */
  size: number;
  /**
   * One key read again and again in that full store (µs per read): a rate counter or the day's tally is touched on
   * every message. Moving a key to the end of a Map (delete, set) left a dead slot in its hash chain each time, so
   * this grew with the reads before the store kept recency in a list.
   */
  hotKeyUs: number;
  before: MemorySample;
  after: MemorySample;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<MemorySample> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** One exchange: a short question and a typical short answer, as the bot stores it. */
function sessionOf(user: number, now: number): Session {
  return {
    turns: [
      { role: 'user', content: `第${user}位用户：今天北京天气怎么样？`, at: now },
      {
        role: 'assistant',
        content:
          '今天北京晴转多云，气温 12–24°C，北风 2–3 级，空气质量良。早晚温差较大，出门记得带件外套。' +
          '如果要出行，建议避开早晚高峰。',
        at: now,
      },
    ],
    updatedAt: now,
  };
}

async function fill(users: number, maxKeys: number): Promise<MemoryRun> {
  const before = await sample();
  const store = createMemoryStore({ maxKeys });
  const now = Date.now();
  for (let user = 0; user < users; user++) {
    // Openids as WeChat sends them: 28 characters.
    const openid = `o${String(user).padStart(10, '0')}AbCdEfGhIjKlMnOpQ`;
    await store.setSession(openid, sessionOf(user, now), 30 * 60_000);
  }
  const after = await sample();
  const size = store.size;
  const reads = 20_000;
  const began = performance.now();
  for (let i = 0; i < reads; i++) await store.hit('rate:oHotUser', 60_000);
  const hotKeyUs = ((performance.now() - began) * 1000) / reads;
  await store.close();
  return { users, maxKeys, size, hotKeyUs, before, after };
}

if (!gc) throw new Error('run with node --expose-gc');
const run = await fill(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 200_000));
process.stdout.write(`${JSON.stringify(run)}\n`);
