/**
 * The jobs table forgets a finished job once every attempt of its message is over (one timer for all of them), never
 * before: a retry inside the window still finds the answer here, whatever order the jobs finished in.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/bot/clock.js';
import { createDelivery } from '../../src/bot/delivery.js';
import { createJobs } from '../../src/bot/jobs.js';
import { resolveConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { JobResult } from '../../src/store/types.js';
import { EPOCH, REAL_TIMING } from '../support/engine.js';

const answer = (content: string): JobResult => ({ reply: { type: 'text', content }, meta: { source: 'handler' } });
/** Attempts × timeout + skew + 2 s: the window every attempt of a message falls in. */
const windowMs = (clockSkewMs: number) => REAL_TIMING.attempts * REAL_TIMING.wechatTimeoutMs + clockSkewMs + 2000;

describe('jobs table', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(EPOCH);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function jobsAtRealTiming() {
    const config = resolveConfig({ wechat: { token: 'jobsToken1' }, timing: REAL_TIMING });
    const store = createMemoryStore();
    const renewals: string[] = [];
    const renewLease = store.renewLease.bind(store);
    store.renewLease = (key, options) => {
      renewals.push(key);
      return renewLease(key, options);
    };
    const delivery = createDelivery({ config, logger: silentLogger, clock: systemClock, wechatApi: undefined });
    const jobs = createJobs({ config, store, logger: silentLogger, clock: systemClock, delivery });
    return { jobs, store, renewals, window: windowMs(config.timing.clockSkewMs), close: () => delivery.close() };
  }

  it('keeps a finished job through its window and forgets it after', async () => {
    const { jobs, window, close } = jobsAtRealTiming();
    const job = jobs.start('k1', 'o1', Date.now(), async () => answer('one'));
    await job.settled;
    expect(jobs.get('k1')?.result?.reply).toEqual({ type: 'text', content: 'one' });
    await vi.advanceTimersByTimeAsync(window - 1);
    expect(jobs.get('k1')).toBe(job);
    await vi.advanceTimersByTimeAsync(300);
    expect(jobs.get('k1')).toBeUndefined();
    close();
  });

  it('a job that finished after a later one is forgotten no earlier than its own window', async () => {
    const { jobs, window, close } = jobsAtRealTiming();
    const arrivedFirst = Date.now();
    // The first message's work takes 3 s; a second arrives 1 s later and is answered at once.
    const slow = jobs.start('slow', 'o1', arrivedFirst, async () => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return answer('slow');
    });
    await vi.advanceTimersByTimeAsync(1000);
    const quick = jobs.start('quick', 'o2', Date.now(), async () => answer('quick'));
    await quick.settled;
    await vi.advanceTimersByTimeAsync(2000);
    await slow.settled;
    // Both are kept until the later window ends; then both go.
    await vi.advanceTimersByTimeAsync(window - 3000 - 1);
    expect(jobs.get('slow')).toBe(slow);
    expect(jobs.get('quick')).toBe(quick);
    await vi.advanceTimersByTimeAsync(1000 + 300);
    expect(jobs.get('quick')).toBeUndefined();
    expect(jobs.get('slow')).toBeUndefined();
    close();
  });

  it('a job whose window is over when it finishes is forgotten at once', async () => {
    const { jobs, window, close } = jobsAtRealTiming();
    const job = jobs.start('late', 'o1', Date.now() - window - 1, async () => answer('late'));
    await job.settled;
    expect(jobs.get('late')).toBeUndefined();
    close();
  });

  it('renews the leases of working jobs with one timer, each once a period, and stops when they finish', async () => {
    const { jobs, store, renewals, close } = jobsAtRealTiming();
    const period = jobs.renewEveryMs;
    const work = (ms: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return answer(`${ms}`);
    };
    await store.claimAttempt('long', 'o1', 60_000);
    const long = jobs.start('long', 'o1', Date.now(), work(10 * period));
    // Arrives just before the first tick: too young to renew then, renewed at the next.
    await vi.advanceTimersByTimeAsync(period - 10);
    const late = jobs.start('late', 'o2', Date.now(), work(3 * period));
    await vi.advanceTimersByTimeAsync(10);
    expect(renewals).toEqual(['long']);
    await vi.advanceTimersByTimeAsync(period);
    expect(renewals).toEqual(['long', 'long', 'late']);
    const leased = (await store.getJob('long'))?.leaseUntil;
    expect(leased).toBe(Date.now() + jobs.leaseMs);
    // The long job works 10 periods: renewed at each of the 9 ticks before it is done; the late one at 2 of its 3.
    await vi.advanceTimersByTimeAsync(8 * period);
    await long.settled;
    await late.settled;
    const count = renewals.length;
    expect(renewals.filter((key) => key === 'long')).toHaveLength(9);
    expect(renewals.filter((key) => key === 'late')).toHaveLength(2);
    // Nothing working: no more renewals.
    await vi.advanceTimersByTimeAsync(5 * period);
    expect(renewals).toHaveLength(count);
    close();
  });
});
