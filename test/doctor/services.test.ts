// doctor's Redis (a real redis-server), ngrok (the skip path and the error mapping: no network here), ffmpeg and
// public URL checks (the real webhook on loopback), and the runner's time limit.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ffmpegCheck } from '../../src/doctor/ffmpeg.js';
import { ngrokCheck } from '../../src/doctor/ngrok.js';
import { publicUrlCheck } from '../../src/doctor/public-url.js';
import { redisCheck } from '../../src/doctor/redis.js';
import { runChecks } from '../../src/doctor/run.js';
import type { Check } from '../../src/doctor/types.js';
import { WechatGptError } from '../../src/errors.js';
import { createFakeTunnel } from '../../src/tunnel/fake.js';
import { toTunnelError } from '../../src/tunnel/ngrok-errors.js';
import { freePort } from '../store/redis-process.js';
import { type Harness, startHarness, TOKEN } from '../support/harness.js';

const one = (check: Check, timeoutMs = 5000) => runChecks([check], { timeoutMs }).then(([result]) => result!);

describe('the Redis check', () => {
  const redisUrl = inject('redisUrl');

  it('passes with the PING round-trip and the server version of a real redis-server', async () => {
    if (!redisUrl) throw new Error('redis-server is not running (see the global-setup message).');
    const result = await one(redisCheck({ url: redisUrl, timeoutMs: 5000 }));
    expect(result).toMatchObject({ id: 'redis', status: 'ok' });
    expect(result.summary).toMatch(/answers PING \(Redis \d+\.\d+/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails at once when nothing listens, without showing the password', async () => {
    const port = await freePort();
    const result = await one(redisCheck({ url: `redis://:hunter2secret@127.0.0.1:${port}`, timeoutMs: 5000 }));
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('cannot connect to');
    expect(result.summary).toContain('ECONNREFUSED');
    expect(JSON.stringify(result)).not.toContain('hunter2secret');
    expect(result.hint).toContain('REDIS_URL');
  });

  it('is skipped without REDIS_URL', async () => {
    expect(await one(redisCheck({ url: undefined, timeoutMs: 5000 }))).toMatchObject({ status: 'skip' });
  });
});

describe('the ngrok check', () => {
  const ngrokError = (text: string) => toTunnelError(new Error(`failed to connect session: ${text}`));

  it('is skipped without NGROK_AUTHTOKEN, and never loads ngrok', async () => {
    const tunnel = createFakeTunnel();
    const result = await one(ngrokCheck({ port: 3000, timeoutMs: 5000, tunnel }));
    expect(result).toMatchObject({ status: 'skip' });
    expect(result.summary).toContain('NGROK_AUTHTOKEN is not set');
    expect(tunnel.calls).toHaveLength(0);
  });

  it('opens and closes a tunnel with the authtoken and the domain', async () => {
    const tunnel = createFakeTunnel();
    const result = await one(
      ngrokCheck({ authtoken: 'tok_abc', domain: 'me.ngrok-free.app', port: 3000, timeoutMs: 5000, tunnel }),
    );
    expect(result).toMatchObject({
      status: 'ok',
      summary: 'authtoken accepted, me.ngrok-free.app is reserved on its account',
    });
    expect(tunnel.calls[0]).toMatchObject({ authtoken: 'tok_abc', domain: 'me.ngrok-free.app', port: 3000 });
    expect(tunnel.closed).toHaveLength(1);
  });

  it('a rejected authtoken fails with where to copy it again', async () => {
    const fail = ngrokError('The authtoken you specified is invalid.\n\nERR_NGROK_107');
    const result = await one(
      ngrokCheck({ authtoken: 'tok_bad', port: 3000, timeoutMs: 5000, tunnel: createFakeTunnel({ fail }) }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('ngrok rejected the authtoken (ERR_NGROK_107)');
    expect(result.hint).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
  });

  it('a domain not reserved on the account fails with where to reserve it', async () => {
    const fail = toTunnelError(new Error('failed to bind listener: domain not reserved ERR_NGROK_320'), {
      domain: 'not-mine.ngrok-free.app',
    });
    const result = await one(
      ngrokCheck({
        authtoken: 'tok_abc',
        domain: 'not-mine.ngrok-free.app',
        port: 3000,
        timeoutMs: 5000,
        tunnel: createFakeTunnel({ fail }),
      }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('ngrok refused "not-mine.ngrok-free.app" (ERR_NGROK_320)');
    expect(result.hint).toContain('https://dashboard.ngrok.com/domains');
  });

  it('a domain or session already online (the serve next to it) counts as an accepted authtoken', async () => {
    for (const [text, expected] of [
      ['endpoint is already online ERR_NGROK_334', 'me.ngrok-free.app is online already (ERR_NGROK_334)'],
      ['Your account is limited to 1 simultaneous ngrok agent sessions. ERR_NGROK_108', 'another agent session'],
    ] as const) {
      const tunnel = createFakeTunnel({ fail: ngrokError(text) });
      const result = await one(
        ngrokCheck({ authtoken: 'tok_abc', domain: 'me.ngrok-free.app', port: 3000, timeoutMs: 5000, tunnel }),
      );
      expect(result.status).toBe('ok');
      expect(result.summary).toContain(expected);
      expect(result.hint).toContain('wechat-gpt serve');
    }
  });

  it('an unreachable ngrok fails with the network hint', async () => {
    const fail = ngrokError('failed to establish tcp connection');
    const result = await one(
      ngrokCheck({ authtoken: 'tok_abc', port: 3000, timeoutMs: 5000, tunnel: createFakeTunnel({ fail }) }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain("Could not reach ngrok's servers");
  });
});

describe('the public URL check', () => {
  let bot: Harness;
  beforeAll(async () => {
    bot = await startHarness();
  });
  afterAll(() => bot.close());

  it('passes when the webhook echoes echostr to the signed GET', async () => {
    const result = await one(publicUrlCheck({ url: bot.url, path: '/wechat', token: TOKEN, timeoutMs: 5000 }));
    expect(result).toMatchObject({ id: 'public-url', status: 'ok' });
    expect(result.summary).toBe(`${bot.url} passes the 服务器配置 check (HTTP 200)`);
    // A local --url passes; the note says WeChat needs 80 or 443 in front.
    expect(result.hint).toContain('takes only ports 80 (http) and 443 (https)');
  });

  it('adds the webhook path to --public-url as serve does, and fails a port 服务器配置 does not accept', async () => {
    // The harness listens on a random port; 服务器配置 takes only 80 and 443.
    const result = await one(
      publicUrlCheck({ publicUrl: `${bot.baseUrl}/`, path: '/wechat', token: TOKEN, timeoutMs: 5000 }),
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(
      `${bot.baseUrl}/wechat echoes echostr, but 服务器配置 takes only ports 80 (http) and 443 (https), not`,
    );
    expect(result.hint).toContain('examples/nginx.conf');
  });

  it('another Token fails with the hint to use one Token everywhere', async () => {
    const result = await one(publicUrlCheck({ url: bot.url, path: '/wechat', token: 'otherToken9', timeoutMs: 5000 }));
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('HTTP 401');
    expect(result.hint).toContain('Use one Token everywhere');
  });

  it('is skipped without a URL', async () => {
    expect(await one(publicUrlCheck({ path: '/wechat', token: TOKEN, timeoutMs: 5000 }))).toMatchObject({
      status: 'skip',
    });
  });
});

describe('the ffmpeg check', () => {
  it('passes with the version of the ffmpeg on PATH (or fails, naming it, where none is installed)', async () => {
    const result = await one(ffmpegCheck({ path: 'ffmpeg', needed: true }));
    if (result.status === 'fail') expect(result.summary).toContain('does not run here');
    else expect(result.summary).toMatch(/^ffmpeg runs \(/);
  });

  it('a missing ffmpeg fails only when voice would be transcribed', async () => {
    const path = '/nonexistent/ffmpeg';
    const needed = await one(ffmpegCheck({ path, needed: true }));
    expect(needed.status).toBe('fail');
    expect(needed.hint).toContain('apt-get install ffmpeg');
    expect(await one(ffmpegCheck({ path, needed: false }))).toMatchObject({ status: 'skip' });
  });
});

describe('the runner', () => {
  it('reports a check that never ends as failed at its time limit, in the order given', async () => {
    const never: Check = { id: 'ngrok', run: () => new Promise(() => {}) };
    const quick: Check = { id: 'config', run: async () => ({ status: 'ok', summary: 'fine' }) };
    const results = await runChecks([never, quick], { timeoutMs: 100 });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ngrok', 'fail'],
      ['config', 'ok'],
    ]);
    expect(results[0]?.summary).toBe('no answer within 100 ms');
  });

  it('turns an error a check throws into a failure with its hint', async () => {
    const thrower: Check = {
      id: 'redis',
      run: async () => {
        throw new WechatGptError('X', 'it broke', { hint: 'do this' });
      },
    };
    expect(await one(thrower)).toEqual({ id: 'redis', status: 'fail', summary: 'it broke', hint: 'do this' });
  });
});
