import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorPageOf } from '../../src/metrics/error-pages.js';
import { startFakeWechatApi } from '../support/fake-wechat-api.js';
import { APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';

/** The value of one sample of Prometheus text output, labels matched exactly (in any order); undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([k, v]) => found[k] === v)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${h.baseUrl}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** WeChat's real timing: answers of a fast model land on the first attempt however loaded the machine is. */
const REAL_TIMING = { wechatTimeoutMs: 5000, replyBudgetMs: 4500 };

describe('/metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: {
        timing: REAL_TIMING,
        keywords: [{ match: 'exact', pattern: 'ping', reply: { type: 'text', content: 'pong' } }],
      },
    });
  });
  afterAll(() => h.close());

  it('starts with every series at zero and the process metrics', async () => {
    const text = await scrape(h);
    expect(text).toContain('# TYPE wechat_gpt_messages_total counter');
    expect(sample(text, 'wechat_gpt_jobs_in_flight')).toBe(0);
    expect(sample(text, 'wechat_gpt_pushes_active')).toBe(0);
    expect(sample(text, 'wechat_gpt_error_pages_total', { outcome: 'avoided' })).toBe(0);
    expect(sample(text, 'wechat_gpt_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a message answered by the model: type and source, delivery, model latency and tokens, store calls', async () => {
    h.fake.setDefault({ reply: '你好' });
    const result = await h.send('hello');
    expect(result.userSees).toBe('你好');
    expect((await h.send('ping')).userSees).toBe('pong');

    const text = await scrape(h);
    expect(sample(text, 'wechat_gpt_messages_total', { type: 'text', source: 'llm' })).toBe(1);
    expect(sample(text, 'wechat_gpt_messages_total', { type: 'text', source: 'keyword' })).toBe(1);
    expect(sample(text, 'wechat_gpt_replies_total', { delivery: 'passive', attempt: '1' })).toBe(2);
    expect(sample(text, 'wechat_gpt_reply_seconds_count')).toBe(2);
    expect(sample(text, 'wechat_gpt_model_seconds_count', { kind: 'chat' })).toBe(1);
    expect(sample(text, 'wechat_gpt_model_tokens_total', { kind: 'completion' })).toBeGreaterThan(0);
    expect(sample(text, 'wechat_gpt_model_tokens_total', { kind: 'prompt' })).toBeGreaterThan(0);
    expect(sample(text, 'wechat_gpt_store_seconds_count', { op: 'claimAttempt' })).toBeGreaterThan(0);
    expect(sample(text, 'wechat_gpt_store_errors_total', { op: 'claimAttempt' })).toBe(0);
  });

  it('counts a request refused for its signature by status', async () => {
    const res = await fetch(`${h.url}?timestamp=1&nonce=1`, { method: 'POST', body: '<xml/>' });
    expect(res.status).toBe(401);
    expect(sample(await scrape(h), 'wechat_gpt_webhook_refused_total', { status: '401' })).toBe(1);
  });
});

describe('/metrics on a retry', () => {
  it('counts the attempt WeChat dropped, and the answer on a later one as an error page avoided', async () => {
    // The compressed clock (WeChat gives up after 500 ms); the model answers only once the first attempt was dropped.
    const h = await startHarness();
    try {
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      h.fake.script(async () => {
        await released;
        return { reply: 'slow' };
      });
      const sent = h.send('take your time');
      await vi.waitFor(
        async () =>
          expect(sample(await scrape(h), 'wechat_gpt_replies_total', { delivery: 'dropped', attempt: '1' })).toBe(1),
        { timeout: 10_000, interval: 50 },
      );
      release();
      expect((await sent).ok).toBe(true);
      await vi.waitFor(
        async () => {
          const text = await scrape(h);
          expect(sample(text, 'wechat_gpt_error_pages_total', { outcome: 'avoided' })).toBe(1);
          expect(sample(text, 'wechat_gpt_error_pages_total', { outcome: 'happened' })).toBe(0);
          // Answered on a retry, or (on a machine slow enough to let every attempt go) by the notice on the last.
          const later =
            (sample(text, 'wechat_gpt_replies_total', { delivery: 'retry', attempt: '2' }) ?? 0) +
            (sample(text, 'wechat_gpt_replies_total', { delivery: 'retry', attempt: '3' }) ?? 0) +
            (sample(text, 'wechat_gpt_replies_total', { delivery: 'outbox', attempt: '3' }) ?? 0);
          expect(later).toBe(1);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      await h.close();
    }
  });
});

describe('/metrics with active delivery', () => {
  it('shows a push waiting for its answer, then counts it pushed, and a push that failed', async () => {
    const appSecret = 'appsecret0123456789abcdef01234567';
    const api = await startFakeWechatApi({ appId: APP_ID, appSecret });
    // Answers `success` after 1 s, well inside WeChat's (here 2 s) timeout however loaded the machine is.
    const h = await startHarness({
      config: {
        wechat: { token: TOKEN, appSecret, apiBase: api.url },
        timing: { wechatTimeoutMs: 2000, replyBudgetMs: 1000 },
      },
    });
    try {
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      h.fake.script(async () => {
        await released;
        return { reply: 'pushed later' };
      });
      // WeChat gets `success` at once; the answer is pushed when the model is done.
      expect((await h.send('slow one', { user: newUser() })).userSees).toBe('');
      let text = await scrape(h);
      expect(sample(text, 'wechat_gpt_pushes_active')).toBe(1);
      expect(sample(text, 'wechat_gpt_replies_total', { delivery: 'push', attempt: '1' })).toBe(1);
      expect(sample(text, 'wechat_gpt_error_pages_total', { outcome: 'avoided' })).toBe(1);
      release();
      await vi.waitFor(
        async () => expect(sample(await scrape(h), 'wechat_gpt_pushes_total', { result: 'pushed' })).toBe(1),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      text = await scrape(h);
      expect(sample(text, 'wechat_gpt_pushes_active')).toBe(0);

      api.inject('/cgi-bin/message/custom/send', 45015);
      let releaseSecond: () => void = () => {};
      const secondReleased = new Promise<void>((resolve) => {
        releaseSecond = resolve;
      });
      h.fake.script(async () => {
        await secondReleased;
        return { reply: 'cannot be pushed' };
      });
      expect((await h.send('another slow one', { user: newUser() })).userSees).toBe('');
      releaseSecond();
      await vi.waitFor(
        async () => expect(sample(await scrape(h), 'wechat_gpt_pushes_total', { result: 'failed' })).toBe(1),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
    } finally {
      await h.close();
      await api.close();
    }
  });
});

describe('/metrics settings', () => {
  it('answers only with the bearer token when metrics.token is set', async () => {
    const h = await startHarness({ config: { metrics: { token: 's3cret-metrics' } } });
    try {
      const anonymous = await fetch(`${h.baseUrl}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await fetch(`${h.baseUrl}/metrics`, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      expect(await scrape(h, { Authorization: 'Bearer s3cret-metrics' })).toContain('wechat_gpt_messages_total');
    } finally {
      await h.close();
    }
  });

  it('is not served with metrics.enabled false, and two bots in one process keep their own counts', async () => {
    const off = await startHarness({ config: { timing: REAL_TIMING, metrics: { enabled: false } } });
    const on = await startHarness({ config: { timing: REAL_TIMING } });
    try {
      expect((await fetch(`${off.baseUrl}/metrics`)).status).toBe(404);
      expect(off.gpt.metrics).toBeUndefined();
      on.fake.setDefault({ reply: 'a' });
      await on.send('one');
      await off.send('two');
      expect(sample(await scrape(on), 'wechat_gpt_messages_total', { type: 'text', source: 'llm' })).toBe(1);
    } finally {
      await Promise.all([off.close(), on.close()]);
    }
  });
});

describe('errorPageOf', () => {
  const timing = { attempts: 3, wechatTimeoutMs: 5000 };
  const meta = { source: 'llm' as const };
  it('says happened when the last attempt was dropped or answered too late, nothing for earlier ones', () => {
    expect(errorPageOf({ attempt: 3, delivery: 'dropped', meta }, 5100, false, timing)).toBe('happened');
    expect(errorPageOf({ attempt: 3, delivery: 'retry', meta }, 5200, true, timing)).toBe('happened');
    expect(errorPageOf({ attempt: 1, delivery: 'dropped', meta }, 5100, false, timing)).toBeUndefined();
  });
  it('says avoided for a retry, the notice, a push or a failure notice in time, nothing for an ordinary answer', () => {
    expect(errorPageOf({ attempt: 2, delivery: 'retry', meta }, 300, true, timing)).toBe('avoided');
    expect(errorPageOf({ attempt: 3, delivery: 'outbox', meta: { source: 'thinking' } }, 4500, true, timing)).toBe(
      'avoided',
    );
    expect(errorPageOf({ attempt: 1, delivery: 'push', meta: { source: 'push-pending' } }, 4500, true, timing)).toBe(
      'avoided',
    );
    expect(errorPageOf({ attempt: 0, delivery: 'passive', meta: { source: 'store-down' } }, 10, true, timing)).toBe(
      'avoided',
    );
    expect(errorPageOf({ attempt: 1, delivery: 'passive', meta }, 800, true, timing)).toBeUndefined();
  });
});
