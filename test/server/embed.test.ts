/** Embedding: createWechatGpt's router in the user's own express app, with and without a body parser before it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWechatGpt, type WechatGpt } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { deliver } from '../../src/simulator/index.js';
import { ACCOUNT, AES_KEY, APP_ID, newUser, TOKEN } from '../support/harness.js';

describe('the router in your own express app', () => {
  let gpt: WechatGpt;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    gpt = createWechatGpt({
      wechat: { token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID },
      llm: { apiKey: '', baseUrl: 'https://api.openai.com/v1' },
      keywords: [{ match: 'exact', pattern: '价格', reply: { type: 'text', content: '99 元' } }],
      logger: silentLogger,
    });
    gpt.bot.use(({ text }) => (text === 'ping' ? { type: 'text', content: 'pong' } : undefined));
    const app = express();
    app.get('/', (_req, res) => {
      res.send('my site');
    });
    app.use('/plain', gpt.router);
    // A body parser mounted first (a common express setup): the webhook uses the text it left.
    app.use('/parsed', express.text({ type: '*/*' }), gpt.router);
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gpt.close();
  });

  const send = (prefix: string, content: string, mode: 'plain' | 'safe') =>
    deliver({
      url: `${base}${prefix}/wechat`,
      token: TOKEN,
      encodingAesKey: AES_KEY,
      appId: APP_ID,
      mode,
      message: { type: 'text', content, fromUser: newUser(), toUser: ACCOUNT } as never,
      timeoutMs: 2000,
      attempts: 1,
    });

  it('answers through the mounted router, in plain and safe mode, next to the app’s own routes', async () => {
    for (const mode of ['plain', 'safe'] as const) {
      expect((await send('/plain', '价格', mode)).userSees).toBe('99 元');
      expect((await send('/plain', 'ping', mode)).userSees).toBe('pong');
    }
    expect(await (await fetch(`${base}/`)).text()).toBe('my site');
    expect((await (await fetch(`${base}/plain/healthz`)).json()) as object).toMatchObject({
      status: expect.any(String),
    });
  });

  it('still verifies and answers when express.text() already read the body', async () => {
    for (const mode of ['plain', 'safe'] as const) {
      const result = await send('/parsed', '价格', mode);
      expect(result.ok).toBe(true);
      expect(result.userSees).toBe('99 元');
    }
  });
});
