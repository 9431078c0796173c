// The access_token: cached in the store, refreshed before expiry, fetched once however many callers or instances ask.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.js';
import { accessTokenKeys, createWechatApi, type WechatApiOptions } from '../../src/wechat-api/index.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';

const appId = 'wx1234567890abcdef';
const appSecret = 'app-secret-0123456789abcdef0123456';
const STABLE = '/cgi-bin/stable_token';

let fake: FakeWechatApi;
beforeEach(async () => {
  fake = await startFakeWechatApi({ appId, appSecret });
});
afterEach(() => fake.close());

function api(options: Partial<WechatApiOptions> = {}) {
  return createWechatApi({ appId, appSecret, apiBase: fake.url, store: createMemoryStore(), ...options });
}

describe('getAccessToken', () => {
  it('fetches once with stable_token and then serves the cached token', async () => {
    const wechat = api();
    const first = await wechat.getAccessToken();
    const again = await wechat.getAccessToken();
    expect(again).toBe(first);
    expect(fake.callsTo(STABLE)).toHaveLength(1);
    expect(fake.callsTo(STABLE)[0]!.body).toEqual({
      grant_type: 'client_credential',
      appid: appId,
      secret: appSecret,
      force_refresh: false,
    });
  });

  it('keeps the token in the store under a key namespaced by the AppID, with its expiry', async () => {
    const store = createMemoryStore();
    const token = await api({ store, now: () => 1_000_000 }).getAccessToken();
    const saved = JSON.parse((await store.getValue(accessTokenKeys(appId).value)) ?? '{}');
    expect(saved).toEqual({ accessToken: token, expiresAt: 1_000_000 + 7_200_000, refreshAt: 1_000_000 + 6_900_000 });
    expect(await store.getValue(accessTokenKeys('wxother').value)).toBeUndefined();
  });

  it('fetches a new token once the refresh margin before expiry is reached, not before', async () => {
    let clock = 1_000_000;
    const wechat = api({ now: () => clock, refreshMarginMs: 300_000 });
    await wechat.getAccessToken();
    clock += 7_200_000 - 300_000 - 1;
    await wechat.getAccessToken();
    expect(fake.callsTo(STABLE)).toHaveLength(1);
    clock += 1;
    await wechat.getAccessToken();
    expect(fake.callsTo(STABLE)).toHaveLength(2);
  });

  it('keeps using the current token when a refresh fails before it has expired', async () => {
    let clock = 1_000_000;
    const wechat = api({ now: () => clock });
    const token = await wechat.getAccessToken();
    clock += 7_000_000; // past the refresh point, 200 s before expiry
    fake.inject(STABLE, -1);
    // Every caller sharing the failed refresh gets the current token.
    expect(await Promise.all([1, 2, 3].map(() => wechat.getAccessToken()))).toEqual([token, token, token]);
    expect(fake.callsTo(STABLE)).toHaveLength(2);
    clock += 300_000; // expired now: the failure is the caller's
    fake.inject(STABLE, -1);
    await expect(wechat.getAccessToken()).rejects.toMatchObject({ code: 'WECHAT_API_UNREACHABLE', errcode: -1 });
  });

  it('shares one request between 50 concurrent callers', async () => {
    const wechat = api();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => wechat.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.callsTo(STABLE)).toHaveLength(1);
    expect(fake.tokenIssued).toBe(1);
  });

  it('shares one request between two instances on one store', async () => {
    const store = createMemoryStore();
    const [a, b] = [api({ store }), api({ store })];
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => a.getAccessToken()),
      ...Array.from({ length: 10 }, () => b.getAccessToken()),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(fake.callsTo(STABLE)).toHaveLength(1);
  });

  it('fetches anyway when the instance holding the lock died', async () => {
    const store = createMemoryStore();
    // A lease that nobody will release: its holder crashed mid-refresh.
    expect(await store.tryLock(accessTokenKeys(appId).lock, 60_000)).toBeDefined();
    const started = Date.now();
    const token = await api({ store, lockWaitMs: 200, lockPollMs: 20 }).getAccessToken();
    expect(token).toBeTruthy();
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(fake.callsTo(STABLE)).toHaveLength(1);
  });

  it('takes over as soon as the lock holder lets go without a token', async () => {
    const store = createMemoryStore();
    const release = await store.tryLock(accessTokenKeys(appId).lock, 60_000);
    const pending = api({ store, lockWaitMs: 5_000, lockPollMs: 10 }).getAccessToken();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.callsTo(STABLE)).toHaveLength(0);
    await release!();
    await expect(pending).resolves.toBeTruthy();
    expect(fake.callsTo(STABLE)).toHaveLength(1);
  });

  it('forceRefresh asks WeChat for a new token, and concurrent forced callers share it', async () => {
    const wechat = api();
    const first = await wechat.getAccessToken();
    const forced = await Promise.all([1, 2, 3].map(() => wechat.getAccessToken({ forceRefresh: true })));
    expect(new Set(forced).size).toBe(1);
    expect(forced[0]).not.toBe(first);
    expect(fake.callsTo(STABLE).map((call) => (call.body as { force_refresh: boolean }).force_refresh)).toEqual([
      false,
      true,
    ]);
  });

  it('stops waiting when the caller aborts, while the shared fetch goes on for the others', async () => {
    fake.inject(STABLE, 'stall');
    const wechat = api({ timeoutMs: 300 });
    const controller = new AbortController();
    const aborted = wechat.getAccessToken({ signal: controller.signal });
    const other = wechat.getAccessToken();
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    await expect(other).rejects.toMatchObject({ code: 'WECHAT_API_UNREACHABLE' });
    expect(fake.callsTo(STABLE)).toHaveLength(1);
  });

  it('reports a wrong AppSecret or AppID with a hint naming the setting', async () => {
    await expect(api({ appSecret: 'wrong-secret-value' }).getAccessToken()).rejects.toMatchObject({
      code: 'WECHAT_API_ERROR',
      errcode: 40125,
      hint: expect.stringContaining('WECHAT_APP_SECRET'),
    });
    await expect(api({ appId: 'wxwrong' }).getAccessToken()).rejects.toMatchObject({
      errcode: 40013,
      hint: expect.stringContaining('WECHAT_APP_ID'),
    });
  });

  it('rejects missing credentials and a bad apiBase at creation', () => {
    expect(() => api({ appSecret: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', setting: 'wechat.appSecret' }),
    );
    expect(() => api({ appId: '' })).toThrow(expect.objectContaining({ setting: 'wechat.appId' }));
    expect(() => api({ apiBase: 'not a url' })).toThrow(expect.objectContaining({ setting: 'wechat.apiBase' }));
  });
});
