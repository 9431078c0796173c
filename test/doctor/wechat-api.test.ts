// doctor's WeChat API and clock checks against the local fake of api.weixin.qq.com (node:http on loopback):
// stable_token answering success, 40164 (IP白名单), 40125 (AppSecret) and 40013 (AppID); the clock against its Date.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockCheck } from '../../src/doctor/clock.js';
import { runChecks } from '../../src/doctor/run.js';
import type { Check } from '../../src/doctor/types.js';
import { wechatApiCheck } from '../../src/doctor/wechat-api.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';

const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'doctor-app-secret-0123456789abcdef';
let api: FakeWechatApi;

beforeAll(async () => {
  api = await startFakeWechatApi({ appId: APP_ID, appSecret: APP_SECRET, clientIp: '198.51.100.23' });
});
afterAll(() => api.close());

const one = (check: Check, timeoutMs = 5000) => runChecks([check], { timeoutMs }).then(([result]) => result!);
const tokenCheck = (options: { appId?: string; appSecret?: string } = {}) =>
  one(wechatApiCheck({ appId: APP_ID, appSecret: APP_SECRET, apiBase: api.url, timeoutMs: 5000, ...options }));

describe('the WeChat API check', () => {
  it('passes when stable_token hands out an access_token, and does not force a refresh', async () => {
    const result = await tokenCheck();
    expect(result).toMatchObject({ id: 'wechat-api', status: 'ok' });
    expect(result.summary).toContain(`access_token fetched for ${APP_ID}`);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(api.callsTo('/cgi-bin/stable_token').at(-1)?.body).toMatchObject({ force_refresh: false });
  });

  it('40164 names the IP WeChat sees, to add to the IP白名单', async () => {
    api.inject('/cgi-bin/stable_token', 40164);
    const result = await tokenCheck();
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('198.51.100.23');
    expect(result.summary).toContain('IP白名单 (40164)');
    expect(result.hint).toContain('Add 198.51.100.23');
    expect(result.hint).toContain('公众平台 → 开发 → 基本配置 → IP白名单');
  });

  it('40125 points at the AppSecret, without showing it', async () => {
    const result = await tokenCheck({ appSecret: 'a-wrong-secret-0123456789' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('AppSecret (40125)');
    expect(result.hint).toContain('WECHAT_APP_SECRET');
    expect(JSON.stringify(result)).not.toContain('a-wrong-secret-0123456789');
  });

  it('40013 points at the AppID', async () => {
    const result = await tokenCheck({ appId: 'wx00000000000000ff' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('AppID wx00000000000000ff (40013)');
    expect(result.hint).toContain('WECHAT_APP_ID');
  });

  it('an API that does not answer fails at the time limit', async () => {
    api.inject('/cgi-bin/stable_token', 'stall');
    const result = await one(
      wechatApiCheck({ appId: APP_ID, appSecret: APP_SECRET, apiBase: api.url, timeoutMs: 300 }),
      300,
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/within 300 ms/);
  });

  it('is skipped without an AppID or AppSecret: passive replies need neither', async () => {
    const result = await tokenCheck({ appSecret: '' });
    expect(result).toMatchObject({ status: 'skip' });
    expect(result.summary).toContain('WECHAT_APP_SECRET is not set');
  });
});

describe('the clock check', () => {
  const clock = (offsetMs: number, apiBase = api.url) =>
    one(clockCheck({ apiBase, allowedSkewMs: 2000, replayWindowSec: 300, now: () => Date.now() + offsetMs }));

  it('passes when this clock agrees with the Date of the API answer', async () => {
    const result = await clock(0);
    expect(result).toMatchObject({ id: 'clock', status: 'ok' });
    expect(result.summary).toMatch(/^in step with 127\.0\.0\.1:\d+|within the 2\.0 s allowed$/);
  });

  it('fails when this clock is a minute ahead, and says how to sync it', async () => {
    const result = await clock(60_000);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/this clock is (58|59|60)\.\d s ahead of/);
    expect(result.hint).toContain('timedatectl set-ntp true');
  });

  it('names the replay refusal when the clock is off by more than the replay window', async () => {
    const result = await clock(-600_000);
    expect(result.summary).toContain('behind');
    expect(result.summary).toContain('every message will be refused');
  });

  it('is skipped when the API cannot be reached (the WeChat API check reports that)', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await clock(0, `http://127.0.0.1:${port}`);
    expect(result.status).toBe('skip');
    expect(result.summary).toContain('could not reach');
  });
});
