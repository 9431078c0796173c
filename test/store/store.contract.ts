// The Store contract as tests: the memory and Redis stores both run it, so they behave the same (TTLs included).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobResult, OutboxItem, Store } from '../../src/store/types.js';
import type { Reply } from '../../src/wechat/types.js';

export interface StoreFixture {
  store: Store;
  /** Another instance on the same state (a second process on the same Redis). Default: the store itself. */
  peer?: Store;
  /** Moves the store's clock on by ms. Default: waits that long for real (Redis expires keys on its own clock). */
  advance?: (ms: number) => void | Promise<void>;
  /** Closes what create opened (default: store.close() and peer.close()). */
  close?: () => Promise<void>;
}

export interface FixtureOptions {
  /** How long an outbox is kept; the contract shortens it to test expiry. */
  outboxTtlMs?: number;
}

export type CreateStore = (options: FixtureOptions) => Promise<StoreFixture>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const text = (content: string): Reply => ({ type: 'text', content });
const answer = (first: string, ...more: string[]): JobResult => ({
  reply: text(first),
  ...(more.length ? { morePages: more.map(text) } : {}),
  question: `Q ${first}`,
  meta: { source: 'test', pages: more.length + 1 },
});

/** How long a claimed page stays out before it goes back (the contract acknowledges at once unless it says so). */
const LEASE = 10_000;

/** Claims the first page and acknowledges it: the page is gone for good (what a written reply does). */
export async function take(store: Store, openid: string): Promise<OutboxItem | undefined> {
  const claim = await store.claimOutbox(openid, LEASE);
  if (!claim) return undefined;
  await store.ackOutbox(openid, claim.claimId);
  const { claimId: _id, ...item } = claim;
  return item;
}

/** Claims the oldest unseen answer's first page and acknowledges it. */
export async function takeUnseen(store: Store, openid: string): Promise<OutboxItem | undefined> {
  const claim = await store.claimUnseenAnswer(openid, LEASE);
  if (!claim) return undefined;
  await store.ackOutbox(openid, claim.claimId);
  const { claimId: _id, ...item } = claim;
  return item;
}
/** The page texts of the items, for compact assertions. */
const contents = (items: ({ reply: Reply } | undefined)[]) =>
  items.map((item) => (item?.reply.type === 'text' ? item.reply.content : item ? item.reply.type : undefined));

const TTL = 10_000;
/** Short TTLs run for real on Redis: long enough for a few commands, short enough for a quick suite. */
const SHORT = 120;
const PAST_SHORT = 200;

export function runStoreContract(name: string, create: CreateStore): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let peer: Store;
    let extra: StoreFixture[] = [];
    const advance = (ms: number) => (fixture.advance ? fixture.advance(ms) : sleep(ms));
    let ids = 0;
    const id = (label: string) => `${label}-${++ids}`;

    const closeFixture = async (f: StoreFixture) => {
      if (f.close) return f.close();
      await f.store.close();
      if (f.peer && f.peer !== f.store) await f.peer.close();
    };

    /** A fixture of its own (e.g. a short outbox TTL), closed after the test. */
    async function createExtra(options: FixtureOptions): Promise<StoreFixture> {
      const created = await create(options);
      extra.push(created);
      return created;
    }

    beforeEach(async () => {
      fixture = await create({});
      store = fixture.store;
      peer = fixture.peer ?? fixture.store;
    });

    afterEach(async () => {
      await closeFixture(fixture);
      await Promise.all(extra.map(closeFixture));
      extra = [];
    });

    it('names its kind and answers ping', async () => {
      expect(typeof store.kind).toBe('string');
      expect(store.kind.length).toBeGreaterThan(0);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('jobs', () => {
      it('creates a pending job on the first attempt and counts later ones', async () => {
        const key = id('job');
        const first = await store.claimAttempt(key, 'oUser1', TTL);
        expect(first.attempt).toBe(1);
        expect(first.job).toMatchObject({ key, openid: 'oUser1', status: 'pending', attempts: 1 });
        expect(typeof first.job.createdAt).toBe('number');
        const second = await peer.claimAttempt(key, 'oUser1', TTL);
        expect(second.attempt).toBe(2);
        expect(second.job).toMatchObject({ status: 'pending', attempts: 2, createdAt: first.job.createdAt });
        expect(await store.getJob(key)).toMatchObject({ attempts: 2, status: 'pending' });
        expect(await store.getJob(id('unknown'))).toBeUndefined();
      });

      it('gives attempt 1 to exactly one of 20 concurrent first attempts', async () => {
        const key = id('race');
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? peer : store).claimAttempt(key, 'oRace', TTL)),
        );
        const attempts = claims.map((claim) => claim.attempt).sort((a, b) => a - b);
        expect(attempts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(claims.filter((claim) => claim.attempt === 1)).toHaveLength(1);
        expect((await store.getJob(key))?.attempts).toBe(20);
      });

      it('stores the result of a pending job once; a duplicate completion is ignored', async () => {
        const key = id('done');
        await store.claimAttempt(key, 'oUser2', TTL);
        expect(await store.completeJob(key, answer('first'), { ttlMs: TTL })).toBe('stored');
        expect(await peer.completeJob(key, answer('second'), { ttlMs: TTL })).toBe('ignored');
        const job = await store.getJob(key);
        expect(job).toMatchObject({ status: 'done', openid: 'oUser2', attempts: 1 });
        expect(job?.result).toEqual(answer('first'));
        expect(await store.claimAttempt(key, 'oUser2', TTL)).toMatchObject({ attempt: 2, job: { status: 'done' } });
      });

      it('ignores the completion of an unknown job', async () => {
        expect(await store.completeJob(id('never'), answer('lost'), { ttlMs: TTL })).toBe('ignored');
      });

      it('defers a pending job, and reports a done job as done', async () => {
        const key = id('defer');
        await store.claimAttempt(key, 'oUser3', TTL);
        expect(await store.deferJob(key)).toMatchObject({ key, status: 'deferred' });
        expect(await peer.deferJob(key)).toMatchObject({ status: 'deferred' });
        expect(await store.completeJob(key, answer('late'), { ttlMs: TTL })).toBe('outboxed');
        const after = await store.deferJob(key);
        expect(after).toMatchObject({ status: 'done', result: answer('late') });
        expect(await store.deferJob(id('unknown'))).toBeUndefined();
      });

      it('notes how a done job was delivered', async () => {
        const key = id('mark');
        await store.claimAttempt(key, 'oUser4', TTL);
        await store.completeJob(key, answer('a'), { ttlMs: TTL });
        await peer.markDelivered(key, 'attempt 2');
        expect(await store.getJob(key)).toMatchObject({ deliveredBy: 'attempt 2', status: 'done' });
        await store.markDelivered(id('unknown'), 'outbox');
        expect(await store.getJob(id('unknown'))).toBeUndefined();
      });

      it('forgets a job after its TTL, and completion sets a new TTL', async () => {
        const short = id('short');
        const kept = id('kept');
        await store.claimAttempt(short, 'oUser5', SHORT);
        await store.claimAttempt(kept, 'oUser5', SHORT);
        await store.completeJob(kept, answer('kept'), { ttlMs: TTL });
        await advance(PAST_SHORT);
        expect(await store.getJob(short)).toBeUndefined();
        expect(await store.getJob(kept)).toMatchObject({ status: 'done' });
        expect((await store.claimAttempt(short, 'oUser5', TTL)).attempt).toBe(1);
      });

      it('returns copies: changing a returned record changes nothing stored', async () => {
        const key = id('copy');
        const { job } = await store.claimAttempt(key, 'oUser6', TTL);
        job.status = 'done';
        job.attempts = 99;
        expect(await store.getJob(key)).toMatchObject({ status: 'pending', attempts: 1 });
      });
    });

    describe('after a loss of state', () => {
      it('recreates a lost job on completion when the user is known, into the outbox when deferred here', async () => {
        const key = id('lost');
        expect(await store.completeJob(key, answer('back'), { ttlMs: TTL, openid: 'oLost' })).toBe('stored');
        expect(await peer.getJob(key)).toMatchObject({ status: 'done', openid: 'oLost' });
        const deferredKey = id('lost-deferred');
        const outcome = await store.completeJob(deferredKey, answer('late'), {
          ttlMs: TTL,
          openid: 'oLost',
          deferred: true,
        });
        expect(outcome).toBe('outboxed');
        expect(await take(peer, 'oLost')).toMatchObject({ answerId: deferredKey, unseen: true, question: 'Q late' });
        expect(await store.getJob(deferredKey)).toMatchObject({ deliveredBy: 'outbox' });
      });

      it('puts an answer deferred by this process in the outbox even when the record says pending', async () => {
        const user = id('oHint');
        const key = id('hint');
        await store.claimAttempt(key, user, TTL);
        expect(await store.completeJob(key, answer('h1', 'h2'), { ttlMs: TTL, deferred: true })).toBe('outboxed');
        expect(contents([await take(store, user), await take(store, user)])).toEqual(['h1', 'h2']);
      });

      it('recreates a lost job when its instance renews the lease, so a retry elsewhere waits for it', async () => {
        const key = id('renew-lost');
        await store.renewLease(key, { openid: 'oRenew', leaseMs: 60_000, ttlMs: TTL });
        expect(await peer.getJob(key)).toMatchObject({ status: 'pending', openid: 'oRenew' });
        expect(await peer.takeOver(key, SHORT)).toBe(false);
        const claim = await peer.claimAttempt(key, 'oRenew', TTL);
        expect(claim.attempt).toBe(2);
      });
    });

    describe('sendToOutbox', () => {
      it('defers a job not done yet and marks it pending; its answer then lands in the outbox once', async () => {
        const user = id('oSend');
        const key = id('send');
        await store.claimAttempt(key, user, TTL);
        expect(await peer.sendToOutbox(key, user, TTL)).toBe('deferred');
        expect(await store.sendToOutbox(key, user, TTL)).toBe('deferred');
        expect(await store.pendingAnswers(user)).toEqual([key]);
        expect(await store.completeJob(key, answer('s1'), { ttlMs: TTL })).toBe('outboxed');
        expect(await peer.pendingAnswers(user)).toEqual([]);
        expect(await store.sendToOutbox(key, user, TTL)).toBe('delivered');
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 1 });
      });

      it('hands over a done answer nobody delivered, once', async () => {
        const user = id('oDone');
        const key = id('done');
        await store.claimAttempt(key, user, TTL);
        await store.completeJob(key, answer('d1', 'd2'), { ttlMs: TTL });
        await take(store, user); // the seen rest of the pending answer
        expect(await peer.sendToOutbox(key, user, TTL)).toBe('outboxed');
        expect(await store.sendToOutbox(key, user, TTL)).toBe('delivered');
        expect(contents(await Promise.all([take(store, user), take(store, user), take(store, user)]))).toEqual([
          'd1',
          'd2',
          undefined,
        ]);
      });

      it('creates a deferred job the store lost, so the answer still reaches the outbox', async () => {
        const user = id('oGone');
        const key = id('gone');
        expect(await store.sendToOutbox(key, user, TTL)).toBe('deferred');
        expect(await peer.getJob(key)).toMatchObject({ status: 'deferred', openid: user });
        expect(await store.pendingAnswers(user)).toEqual([key]);
        expect(await peer.completeJob(key, answer('g1'), { ttlMs: TTL })).toBe('outboxed');
        expect(contents([await take(store, user)])).toEqual(['g1']);
      });

      it('keeps a pending mark per job, in order, until removed or cleared', async () => {
        const user = id('oMarks');
        const [a, b] = [id('mark-a'), id('mark-b')];
        await store.sendToOutbox(a, user, TTL);
        await advance(2);
        await peer.sendToOutbox(b, user, TTL);
        expect(await store.pendingAnswers(user)).toEqual([a, b]);
        await store.removePending(user, a);
        expect(await peer.pendingAnswers(user)).toEqual([b]);
        await store.clearOutbox(user);
        expect(await store.pendingAnswers(user)).toEqual([]);
      });
    });

    describe('outbox claims', () => {
      it('puts a claimed page back in front when it is not acknowledged within its lease', async () => {
        const user = id('oClaim');
        const key = id('claim');
        await store.claimAttempt(key, user, TTL);
        await store.deferJob(key);
        await store.completeJob(key, answer('c1', 'c2'), { ttlMs: TTL });
        const claim = await store.claimOutbox(user, SHORT);
        expect(claim).toMatchObject({ reply: text('c1'), unseen: true, remaining: 1 });
        // While claimed, the next page is what others get.
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 1 });
        await advance(PAST_SHORT);
        expect(await peer.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 2 });
        const again = await peer.claimUnseenAnswer(user, LEASE);
        expect(again).toMatchObject({ reply: text('c1'), unseen: true, question: 'Q c1', remaining: 1 });
        await peer.ackOutbox(user, again!.claimId);
        // A late acknowledgement of the expired claim changes nothing.
        await store.ackOutbox(user, claim!.claimId);
        expect(contents([await take(store, user), await take(store, user)])).toEqual(['c2', undefined]);
      });

      it('forgets an acknowledged page for good, also after the lease', async () => {
        const user = id('oAck');
        const key = id('ack');
        await store.claimAttempt(key, user, TTL);
        await store.deferJob(key);
        await store.completeJob(key, answer('a1'), { ttlMs: TTL });
        const claim = await store.claimOutbox(user, SHORT);
        await peer.ackOutbox(user, claim!.claimId);
        await advance(PAST_SHORT);
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
        expect(await take(store, user)).toBeUndefined();
      });
    });

    describe('leases', () => {
      it('lets another instance take over a pending job only once its lease ran out, and only one of them', async () => {
        const key = id('lease');
        await store.claimAttempt(key, 'oLease', TTL);
        expect(await peer.takeOver(key, SHORT)).toBe(false); // never renewed: leased until createdAt + SHORT
        await advance(PAST_SHORT);
        const takers = await Promise.all([peer.takeOver(key, SHORT), store.takeOver(key, SHORT)]);
        expect(takers.filter(Boolean)).toHaveLength(1);
        expect((await store.getJob(key))?.leaseUntil).toEqual(expect.any(Number));
      });

      it('keeps a job whose instance renews its lease, takes over a deferred one (pending again), never a done one', async () => {
        const key = id('renewed');
        await store.claimAttempt(key, 'oLease', TTL);
        await advance(PAST_SHORT);
        await store.renewLease(key, { openid: 'oLease', leaseMs: 60_000, ttlMs: TTL });
        expect(await peer.takeOver(key, SHORT)).toBe(false);

        const deferred = id('deferred-lease');
        await store.claimAttempt(deferred, 'oLease', TTL);
        await store.deferJob(deferred);
        const done = id('done-lease');
        await store.claimAttempt(done, 'oLease', TTL);
        await store.completeJob(done, answer('x'), { ttlMs: TTL });
        await advance(PAST_SHORT);
        expect(await peer.takeOver(deferred, SHORT)).toBe(true);
        expect(await store.getJob(deferred)).toMatchObject({ status: 'pending' });
        expect(await peer.takeOver(done, SHORT)).toBe(false);
        expect(await peer.takeOver(id('unknown'), SHORT)).toBe(false);
        await store.renewLease(done, { openid: 'oLease', leaseMs: SHORT, ttlMs: TTL });
        expect((await store.getJob(done))?.leaseUntil).toBeUndefined();
      });
    });

    describe('waitForJob', () => {
      it('resolves at once when the job is already done', async () => {
        const key = id('ready');
        await store.claimAttempt(key, 'oW1', TTL);
        await store.completeJob(key, answer('ready'), { ttlMs: TTL });
        const started = Date.now();
        const record = await peer.waitForJob(key, 5000);
        expect(Date.now() - started).toBeLessThan(200);
        expect(record).toMatchObject({ status: 'done', result: answer('ready') });
      });

      it('wakes every waiter when another instance completes the job, without waiting for the timeout', async () => {
        const key = id('wake');
        await store.claimAttempt(key, 'oW2', TTL);
        const started = Date.now();
        const waits = [store.waitForJob(key, 5000), store.waitForJob(key, 5000), peer.waitForJob(key, 5000)];
        await sleep(30);
        expect(await peer.completeJob(key, answer('woken'), { ttlMs: TTL })).toBe('stored');
        const records = await Promise.all(waits);
        expect(Date.now() - started).toBeLessThan(1000);
        for (const record of records) expect(record).toMatchObject({ key, status: 'done', result: answer('woken') });
      });

      it('wakes a waiter of a deferred job when it completes', async () => {
        const key = id('deferred-wake');
        await store.claimAttempt(key, 'oW3', TTL);
        await store.deferJob(key);
        const waiting = store.waitForJob(key, 5000);
        await sleep(20);
        expect(await peer.completeJob(key, answer('late'), { ttlMs: TTL })).toBe('outboxed');
        expect(await waiting).toMatchObject({ status: 'done' });
      });

      it('waits for a job that is claimed and completed only later', async () => {
        const key = id('later');
        const waiting = store.waitForJob(key, 5000);
        await sleep(20);
        await peer.claimAttempt(key, 'oW7', TTL);
        await peer.completeJob(key, answer('later'), { ttlMs: TTL });
        expect(await waiting).toMatchObject({ key, openid: 'oW7', status: 'done' });
      });

      it('resolves undefined after the timeout', async () => {
        const key = id('timeout');
        await store.claimAttempt(key, 'oW4', TTL);
        const started = Date.now();
        expect(await store.waitForJob(key, 100)).toBeUndefined();
        const waited = Date.now() - started;
        expect(waited).toBeGreaterThanOrEqual(90);
        expect(waited).toBeLessThan(1000);
        // The timed-out waiter is gone: completing later still works and is not delivered to it.
        expect(await store.completeJob(key, answer('after'), { ttlMs: TTL })).toBe('stored');
        expect(await store.waitForJob(key, 0)).toMatchObject({ status: 'done' });
      });

      it('resolves undefined when the signal aborts, or at once when it already has', async () => {
        const key = id('abort');
        await store.claimAttempt(key, 'oW5', TTL);
        const controller = new AbortController();
        const started = Date.now();
        const waiting = store.waitForJob(key, 5000, controller.signal);
        setTimeout(() => controller.abort(), 30);
        expect(await waiting).toBeUndefined();
        expect(Date.now() - started).toBeLessThan(1000);
        expect(await store.waitForJob(key, 5000, AbortSignal.abort())).toBeUndefined();
        await store.completeJob(key, answer('done'), { ttlMs: TTL });
        // Done wins over an aborted signal: the answer is there.
        expect(await store.waitForJob(key, 5000, AbortSignal.abort())).toMatchObject({ status: 'done' });
      });

      it('resolves undefined for a job that is not done by the timeout of zero', async () => {
        const key = id('zero');
        await store.claimAttempt(key, 'oW6', TTL);
        expect(await store.waitForJob(key, 0)).toBeUndefined();
      });
    });

    describe('outbox', () => {
      /** Claims and completes a job for the user, deferred first when asked. */
      async function finish(openid: string, result: JobResult, { deferred = false } = {}) {
        const key = id('ans');
        await store.claimAttempt(key, openid, TTL);
        if (deferred) await store.deferJob(key);
        const outcome = await store.completeJob(key, result, { ttlMs: TTL });
        expect(outcome).toBe(deferred ? 'outboxed' : 'stored');
        return key;
      }

      async function drain(s: Store, openid: string) {
        const items = [];
        for (let item = await take(s, openid); item; item = await take(s, openid)) items.push(item);
        return items;
      }

      it('starts empty', async () => {
        const user = id('oEmpty');
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
        expect(await take(store, user)).toBeUndefined();
        expect(await takeUnseen(store, user)).toBeUndefined();
        await store.dropSeenAnswers(user);
        await store.clearOutbox(user);
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
      });

      it('queues only the pages after the first of a pending job, as a seen answer', async () => {
        const user = id('oPending');
        await finish(user, answer('only'));
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
        const key = await finish(user, answer('p1', 'p2', 'p3'));
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 2 });
        const second = await take(peer, user);
        expect(second).toEqual({ answerId: key, reply: text('p2'), unseen: false, remaining: 1 });
        const third = await take(store, user);
        expect(third).toEqual({ answerId: key, reply: text('p3'), unseen: false, remaining: 0 });
        expect(await take(store, user)).toBeUndefined();
      });

      it('queues every page of a deferred job as one unseen answer, with its question', async () => {
        const user = id('oDeferred');
        const key = await finish(user, answer('d1', 'd2', 'd3'), { deferred: true });
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 3 });
        expect(await take(store, user)).toEqual({
          answerId: key,
          reply: text('d1'),
          question: 'Q d1',
          unseen: true,
          remaining: 2,
        });
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 2 });
        expect(await take(store, user)).toEqual({
          answerId: key,
          reply: text('d2'),
          unseen: false,
          remaining: 1,
        });
        expect(await take(store, user)).toMatchObject({ reply: text('d3'), unseen: false, remaining: 0 });
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
      });

      it('keeps answers in arrival order, first page to last, and non-text replies intact', async () => {
        const user = id('oOrder');
        const news: Reply = {
          type: 'news',
          articles: [{ title: '标题', description: '描述', picUrl: '', url: 'https://example.com' }],
        };
        const a = await finish(user, answer('a1', 'a2'), { deferred: true });
        const b = await finish(user, { reply: news, meta: { source: 'test' } }, { deferred: true });
        const c = await finish(user, answer('c1'), { deferred: true });
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 3, pages: 4 });
        const items = await drain(store, user);
        expect(items.map((item) => [item.answerId, item.unseen, item.remaining])).toEqual([
          [a, true, 3],
          [a, false, 2],
          [b, true, 1],
          [c, true, 0],
        ]);
        expect(items[2]?.reply).toEqual(news);
        expect(contents(items)).toEqual(['a1', 'a2', 'news', 'c1']);
      });

      it('replaces the rest of seen answers with the rest of a new pending answer, keeping unseen answers', async () => {
        const user = id('oReplace');
        await finish(user, answer('s1', 's2', 's3'));
        const waiting = await finish(user, answer('u1', 'u2'), { deferred: true });
        const fresh = await finish(user, answer('n1', 'n2'));
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 3 });
        const items = await drain(store, user);
        expect(contents(items)).toEqual(['u1', 'u2', 'n2']);
        expect(items.map((item) => item.answerId)).toEqual([waiting, waiting, fresh]);
      });

      it('keeps seen pages when a pending job finishes without more pages (the continue word)', async () => {
        const user = id('oContinue');
        await finish(user, answer('p1', 'p2', 'p3'));
        const page = await take(store, user);
        await finish(user, { reply: page!.reply, meta: { source: 'test' } });
        expect(contents(await drain(store, user))).toEqual(['p3']);
      });

      it('takes the oldest unseen answer, dropping seen pages before it and keeping what follows', async () => {
        const user = id('oUnseen');
        await finish(user, answer('s1', 's2', 's3'));
        const first = await finish(user, answer('u1', 'u2'), { deferred: true });
        const second = await finish(user, answer('v1'), { deferred: true });
        const item = await takeUnseen(store, user);
        expect(item).toEqual({ answerId: first, reply: text('u1'), question: 'Q u1', unseen: true, remaining: 2 });
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 2 });
        // The rest of the first answer is seen now, so taking the next unseen answer drops it.
        const next = await takeUnseen(peer, user);
        expect(next).toEqual({ answerId: second, reply: text('v1'), question: 'Q v1', unseen: true, remaining: 0 });
        expect(await takeUnseen(store, user)).toBeUndefined();
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
      });

      it('leaves everything in place when no answer is unseen', async () => {
        const user = id('oNoUnseen');
        await finish(user, answer('s1', 's2'));
        expect(await takeUnseen(store, user)).toBeUndefined();
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 1 });
      });

      /**
       * A user's outbox with a seen answer used up, a second answer partly read (r2 and r3 left, seen) and an unseen one
       * (u1, u2).
       */
      async function partlyReadOutbox(name: string): Promise<string> {
        const user = id(name);
        await finish(user, answer('s1', 's2'));
        await finish(user, answer('r1', 'r2', 'r3'), { deferred: true });
        await finish(user, answer('u1', 'u2'), { deferred: true });
        await take(store, user); // s2: the seen answer is used up
        await take(store, user); // r1: the second answer is now seen, r2 and r3 left
        return user;
      }

      it('with dropSeen (a new question), drops the rest of seen answers first, then claims the oldest unseen one', async () => {
        const user = await partlyReadOutbox('oFresh');
        const claim = await peer.claimUnseenAnswer(user, LEASE, { dropSeen: true });
        expect(claim).toMatchObject({ reply: text('u1'), question: 'Q u1', unseen: true, remaining: 1 });
        await store.ackOutbox(user, claim!.claimId);
        expect(contents(await drain(store, user))).toEqual(['u2']);
      });

      it('with dropSeen and no answer unseen, still drops what is left of seen answers', async () => {
        const user = id('oFreshNone');
        await finish(user, answer('s1', 's2', 's3'));
        expect(await store.claimUnseenAnswer(user, LEASE, { dropSeen: true })).toBeUndefined();
        expect(await peer.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
      });

      it('drops the rest of seen answers, also partly read ones, and keeps unseen answers whole', async () => {
        const user = await partlyReadOutbox('oDrop');
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 4 });
        await peer.dropSeenAnswers(user);
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 2 });
        const items = await drain(store, user);
        expect(contents(items)).toEqual(['u1', 'u2']);
        expect(items[0]?.unseen).toBe(true);
      });

      it('keeps the newest 20 answers of a user who asks faster than they read', async () => {
        const user = id('oCapped');
        const keys: string[] = [];
        await finish(user, answer('seen1', 'seen2'));
        for (let i = 0; i < 25; i++) keys.push(await finish(user, answer(`a${i}`, `a${i}b`), { deferred: true }));
        expect(await store.summarizeOutbox(user)).toEqual({ unseenAnswers: 20, pages: 40 });
        const first = await takeUnseen(peer, user);
        expect(first).toMatchObject({ answerId: keys[5], reply: text('a5'), unseen: true });
      });

      it('keeps each user to their own outbox, and clears one', async () => {
        const alice = id('oAlice');
        const bob = id('oBob');
        await finish(alice, answer('a1'), { deferred: true });
        await finish(bob, answer('b1'), { deferred: true });
        await store.clearOutbox(alice);
        expect(await store.summarizeOutbox(alice)).toEqual({ unseenAnswers: 0, pages: 0 });
        expect(contents([await take(store, bob)])).toEqual(['b1']);
      });

      it('forgets an outbox after its TTL', async () => {
        const short = await createExtra({ outboxTtlMs: SHORT });
        const user = id('oExpire');
        const key = id('ans');
        await short.store.claimAttempt(key, user, TTL);
        await short.store.deferJob(key);
        await short.store.completeJob(key, answer('x1', 'x2'), { ttlMs: TTL });
        expect(await short.store.summarizeOutbox(user)).toEqual({ unseenAnswers: 1, pages: 2 });
        await (short.advance ? short.advance(PAST_SHORT) : sleep(PAST_SHORT));
        expect(await short.store.summarizeOutbox(user)).toEqual({ unseenAnswers: 0, pages: 0 });
        expect(await take(short.store, user)).toBeUndefined();
      });
    });

    describe('sessions', () => {
      const session = (content: string) => ({
        turns: [
          { role: 'user' as const, content, at: 1 },
          {
            role: 'assistant' as const,
            content: [
              { type: 'text' as const, text: '你好' },
              { type: 'image_url' as const, imageUrl: 'https://example.com/a.png' },
            ],
            at: 2,
          },
        ],
        updatedAt: 2,
      });

      it('stores, returns and deletes a session', async () => {
        const user = id('oSession');
        expect(await store.getSession(user)).toBeUndefined();
        await store.setSession(user, session('你好吗'), TTL);
        expect(await peer.getSession(user)).toEqual(session('你好吗'));
        await store.setSession(user, session('second'), TTL);
        expect(await store.getSession(user)).toEqual(session('second'));
        await peer.deleteSession(user);
        expect(await store.getSession(user)).toBeUndefined();
      });

      it('keeps a copy of its own: changing the session given or the session read changes nothing kept', async () => {
        const user = id('oCopy');
        const given = session('原来的');
        await store.setSession(user, given, TTL);
        given.turns[0]!.content = 'changed after setSession';
        given.turns.push({ role: 'user', content: 'pushed after setSession', at: 3 });
        const read = await store.getSession(user);
        read!.turns[0]!.content = 'changed after getSession';
        const part = read!.turns[1]!.content[0];
        if (typeof part === 'object' && part.type === 'text') part.text = 'changed part';
        read!.turns.pop();
        expect(await peer.getSession(user)).toEqual(session('原来的'));
      });

      it('appends turns to the conversation as it is now, keeping what keep returns', async () => {
        const user = id('oAppend');
        const turn = (role: 'user' | 'assistant', content: string, at: number) => ({ role, content, at });
        await store.appendTurns(user, [turn('user', '一', 1), turn('assistant', '答一', 2)], { ttlMs: TTL });
        expect(await peer.getSession(user)).toEqual({
          turns: [turn('user', '一', 1), turn('assistant', '答一', 2)],
          updatedAt: 2,
        });
        // keep sees the whole conversation, the new turns at its end, and what it returns is the conversation.
        const seen: string[][] = [];
        await peer.appendTurns(user, [turn('user', '二', 3), turn('assistant', '答二', 4)], {
          ttlMs: TTL,
          keep: (turns) => {
            seen.push(turns.map((t) => String(t.content)));
            return turns.slice(-2);
          },
        });
        expect(seen).toEqual([['一', '答一', '二', '答二']]);
        expect(await store.getSession(user)).toEqual({
          turns: [turn('user', '二', 3), turn('assistant', '答二', 4)],
          updatedAt: 4,
        });
        await store.appendTurns(user, [], { ttlMs: TTL });
        expect((await store.getSession(user))?.turns).toHaveLength(2);
      });

      it('keeps its own copy of appended turns, and a read copy changes nothing kept', async () => {
        const user = id('oAppendCopy');
        const given = [{ role: 'user' as const, content: [{ type: 'text' as const, text: '原来的' }], at: 1 }];
        await store.appendTurns(user, given, { ttlMs: TTL });
        given[0]!.content[0]!.text = 'changed after appendTurns';
        given.push({ role: 'user', content: [{ type: 'text', text: 'pushed' }], at: 2 });
        const read = await store.getSession(user);
        read!.turns.pop();
        await store.appendTurns(user, [{ role: 'assistant', content: '答', at: 3 }], { ttlMs: TTL });
        expect(await peer.getSession(user)).toEqual({
          turns: [
            { role: 'user', content: [{ type: 'text', text: '原来的' }], at: 1 },
            { role: 'assistant', content: '答', at: 3 },
          ],
          updatedAt: 3,
        });
      });

      it('starts the idle time again on every append', async () => {
        const user = id('oAppendIdle');
        await store.appendTurns(user, [{ role: 'user', content: 'a', at: 1 }], { ttlMs: SHORT });
        await advance(SHORT / 2);
        await store.appendTurns(user, [{ role: 'user', content: 'b', at: 2 }], { ttlMs: SHORT });
        await advance(SHORT / 2 + 20);
        expect((await store.getSession(user))?.turns.map((t) => t.content)).toEqual(['a', 'b']);
        await advance(PAST_SHORT);
        expect(await store.getSession(user)).toBeUndefined();
      });

      it('expires a session after ttlMs without a write; each write starts the idle time again', async () => {
        const user = id('oIdle');
        await store.setSession(user, session('a'), SHORT);
        await advance(SHORT / 2);
        await store.setSession(user, session('b'), SHORT);
        await advance(SHORT / 2 + 20);
        expect(await store.getSession(user)).toEqual(session('b'));
        await advance(PAST_SHORT);
        expect(await store.getSession(user)).toBeUndefined();
      });
    });

    describe('hit', () => {
      it('counts within a fixed window that later hits do not extend, per key', async () => {
        const key = id('rate');
        expect(await store.hit(key, SHORT)).toBe(1);
        expect(await peer.hit(key, SHORT)).toBe(2);
        expect(await store.hit(id('other'), SHORT)).toBe(1);
        await advance(SHORT / 2);
        expect(await store.hit(key, SHORT)).toBe(3);
        await advance(SHORT / 2 + 30);
        expect(await store.hit(key, SHORT)).toBe(1);
      });
    });

    describe('tallies', () => {
      it('adds per member across instances, reads with 0, and ranks the highest first', async () => {
        const key = id('tally');
        expect(await store.addToTally(key, 'alice', 0, TTL)).toBe(0);
        expect(await store.topOfTally(key, 10)).toEqual([]);
        expect(await store.addToTally(key, 'alice', 1, TTL)).toBe(1);
        expect(await peer.addToTally(key, 'alice', 1, TTL)).toBe(2);
        expect(await peer.addToTally(key, 'bob', 250, TTL)).toBe(250);
        expect(await store.addToTally(key, 'carol', 7, TTL)).toBe(7);
        expect(await store.addToTally(key, 'dave', 0, TTL)).toBe(0);
        expect(await peer.addToTally(key, 'alice', 0, TTL)).toBe(2);
        expect(await store.topOfTally(key, 2)).toEqual([
          { member: 'bob', total: 250 },
          { member: 'carol', total: 7 },
        ]);
        expect(await peer.topOfTally(key, 10)).toHaveLength(3);
        expect(await store.topOfTally(id('other'), 10)).toEqual([]);
      });

      it('forgets a tally whole once its TTL has passed', async () => {
        const key = id('tally');
        await store.addToTally(key, 'alice', 3, SHORT);
        await peer.addToTally(key, 'bob', 1, SHORT);
        await advance(PAST_SHORT);
        expect(await store.addToTally(key, 'alice', 0, SHORT)).toBe(0);
        expect(await peer.topOfTally(key, 10)).toEqual([]);
      });
    });

    describe('values', () => {
      it('stores, overwrites, expires and deletes values', async () => {
        const key = id('value');
        expect(await store.getValue(key)).toBeUndefined();
        await store.setValue(key, 'token-1', TTL);
        expect(await peer.getValue(key)).toBe('token-1');
        await store.setValue(key, '令牌-2', SHORT);
        expect(await store.getValue(key)).toBe('令牌-2');
        await advance(PAST_SHORT);
        expect(await store.getValue(key)).toBeUndefined();
        await store.setValue(key, 'token-3', TTL);
        await peer.deleteValue(key);
        expect(await store.getValue(key)).toBeUndefined();
      });
    });

    describe('locks', () => {
      it('is exclusive until released, across instances', async () => {
        const key = id('lock');
        const release = await store.tryLock(key, TTL);
        expect(release).toBeTypeOf('function');
        expect(await peer.tryLock(key, TTL)).toBeUndefined();
        expect(await store.tryLock(key, TTL)).toBeUndefined();
        await release!();
        const again = await peer.tryLock(key, TTL);
        expect(again).toBeTypeOf('function');
        await again!();
      });

      it('gives the lock to one of many concurrent callers', async () => {
        const key = id('lock-race');
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? peer : store).tryLock(key, TTL)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('expires, and a stale holder cannot release the next holder', async () => {
        const key = id('lease');
        const stale = await store.tryLock(key, SHORT);
        expect(stale).toBeTypeOf('function');
        await advance(PAST_SHORT);
        const current = await peer.tryLock(key, TTL);
        expect(current).toBeTypeOf('function');
        await stale!();
        expect(await store.tryLock(key, TTL)).toBeUndefined();
        await current!();
        expect(await store.tryLock(key, TTL)).toBeTypeOf('function');
      });
    });
  });
}
