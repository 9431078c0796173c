/**
 * Secrets stay secret: the Token, EncodingAESKey, AppSecret, model API key and issued access_tokens never appear in
 * the structured log (captured from the real pino logger at debug level) while the bot answers, refuses forgeries,
 * fails at the model, pushes and fails to push; nor in `wechat-gpt config` (text or --json), which masks them.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, maskSecret } from '../../src/logger.js';
import { computeSignature } from '../../src/wechat/index.js';
import { runCli, tempDir } from '../cli/run-cli.js';
import { rawRequest } from '../faults/raw-http.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { type FakeWechatApi, startFakeWechatApi } from '../support/fake-wechat-api.js';
import { type Harness, newUser, startHarness } from '../support/harness.js';

const SECRETS = {
  token: 'Tok3nSecretQ7wE9rT2',
  aesKey: 'Zq8Xv2Lm5Np9Rt4Wy7Bc1Df6Gh3Jk0Ms8Pu2Qa5Ve9x',
  appSecret: 'S3cr3tAppKq7wE9rT2yU4iO6pA8sD0fG',
  apiKey: 'sk-live-Hq4Zr8Vn2Bx6Cm1Kw5Ty9Pu3',
};
const APP_ID = 'wx5e1c0ffee0ddba11';

function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: stream }), text: () => lines.join('') };
}

describe('secrets in the log', () => {
  let h: Harness;
  let llm: FakeOpenAI;
  let api: FakeWechatApi;
  const logs = captureLogs();

  beforeAll(async () => {
    llm = await startFakeOpenAI({ apiKey: SECRETS.apiKey });
    api = await startFakeWechatApi({ appId: APP_ID, appSecret: SECRETS.appSecret });
    h = await startHarness({
      config: {
        logger: logs.logger,
        delivery: 'active',
        wechat: {
          token: SECRETS.token,
          encodingAesKey: SECRETS.aesKey,
          appId: APP_ID,
          appSecret: SECRETS.appSecret,
          apiBase: api.url,
        },
        llm: { apiKey: SECRETS.apiKey, baseUrl: llm.url, maxRetries: 0 },
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await llm.close();
    await api.close();
  });

  /** The harness signs with its own Token; this bot has another, so send as WeChat would for this one. */
  const send = (text: string, user = newUser()) =>
    import('../../src/simulator/index.js').then(({ deliver }) =>
      deliver({
        url: h.url,
        token: SECRETS.token,
        encodingAesKey: SECRETS.aesKey,
        appId: APP_ID,
        mode: 'safe',
        message: { type: 'text', content: text, fromUser: user, toUser: 'gh_0123456789ab' },
        timeoutMs: 500,
      }),
    );

  it('never logs a secret, whatever happens', async () => {
    // Answered in time, and answered late (pushed with an access_token fetched with the AppSecret).
    llm.script([{ reply: 'quick' }, { reply: 'slow', latencyMs: 700 }]);
    expect((await send('hello')).userSees).toBe('quick');
    const lateUser = newUser();
    await send('take your time', lateUser);
    await expect.poll(() => api.pushed(lateUser).some((item) => item.kind === 'message'), { timeout: 3000 }).toBe(true);

    // A push that fails, and a token request that fails (the client sends the AppSecret; WeChat echoes parameters).
    api.inject('/cgi-bin/message/custom/send', 45015);
    llm.script({ reply: 'too late to push', latencyMs: 700 });
    await send('push fails');
    api.expireTokens();
    api.inject('/cgi-bin/stable_token', 40125);
    llm.script({ reply: 'no token', latencyMs: 700 });
    await send('token fails');

    // The model refuses the key; the model is down.
    llm.script([{ status: 401 }, { status: 500 }]);
    await send('auth fails');
    await send('server fails');

    // Forgeries and garbage at the webhook.
    const t = String(Math.floor(Date.now() / 1000));
    await rawRequest(`${h.url}?signature=${'f'.repeat(40)}&timestamp=${t}&nonce=1`, { body: '<xml/>' });
    await rawRequest(
      `${h.url}?signature=${computeSignature(SECRETS.token, t, '1')}&timestamp=${t}&nonce=1&encrypt_type=aes&msg_signature=x`,
      { body: '<xml><Encrypt>AAAA</Encrypt></xml>' },
    );
    await h.gpt.bot.drain(3000);

    const text = logs.text();
    // The log did record all this (so its silence about secrets means something).
    expect(text).toMatch(/webhook request refused/);
    expect(text).toMatch(/llm failed/);
    expect(text).toMatch(/"msg":"pushed"/);
    const issued = api.calls.map((call) => call.query.access_token).filter((token): token is string => !!token);
    expect(issued.length).toBeGreaterThan(0);
    for (const secret of [...Object.values(SECRETS), ...new Set(issued)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('censors secret-named fields passed to the logger by anyone (handlers, plugins)', () => {
    const own = captureLogs();
    own.logger.info(
      {
        token: SECRETS.token,
        apiKey: SECRETS.apiKey,
        config: { appSecret: SECRETS.appSecret, aesKey: SECRETS.aesKey },
      },
      'careless handler',
    );
    expect(own.text()).toMatch(/careless handler/);
    for (const secret of Object.values(SECRETS)) expect(own.text()).not.toContain(secret);
  });
});

describe('secrets in `wechat-gpt config`', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const env = {
    WECHAT_TOKEN: SECRETS.token,
    WECHAT_AES_KEY: SECRETS.aesKey,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: SECRETS.appSecret,
    OPENAI_API_KEY: SECRETS.apiKey,
    NGROK_AUTHTOKEN: '2abcNgrokAuthTokenSecret_9XyZ',
    REDIS_URL: 'redis://:RedisPassw0rdSecret@127.0.0.1:6379/0',
  };
  const secrets = [...Object.values(SECRETS), env.NGROK_AUTHTOKEN, 'RedisPassw0rdSecret'];

  it('masks every secret in the text and JSON output', async () => {
    for (const args of [['config'], ['config', '--json']]) {
      const run = await runCli(args, { cwd: dir.path, env });
      expect(run.code).toBe(0);
      for (const secret of secrets) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
      expect(run.stdout).toContain(maskSecret(SECRETS.apiKey));
      expect(run.stdout).toContain(APP_ID);
    }
  });

  it('shows them only when asked with --show-secrets (so the check above can see a leak)', async () => {
    const run = await runCli(['config', '--json', '--show-secrets'], { cwd: dir.path, env });
    for (const secret of Object.values(SECRETS)) expect(run.stdout).toContain(secret);
  });
});
