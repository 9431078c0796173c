import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatBanner } from '../../src/cli/serve/banner.js';
import type { ServeInfo } from '../../src/cli/serve/start.js';
import { displayWidth } from '../../src/cli/text-width.js';
import { createTheme } from '../../src/cli/theme.js';

const info: ServeInfo = {
  url: 'http://127.0.0.1:3000/wechat',
  publicUrl: 'https://a1b2-203-0-113-7.ngrok-free.app',
  pasteUrl: 'https://a1b2-203-0-113-7.ngrok-free.app/wechat',
  path: '/wechat',
  port: 3000,
  token: 'jMYRbpgXMUB6xtf1yebIRFo7J9ZQ2oFD',
  aesKey: 'dguvcDZi66QVIS8gERvllwhKq0ldwsrGa8tImVwMtqo',
  appId: 'wx5a3c0e8f1b2d4e6f',
  mode: 'safe',
  tunnel: 'ngrok',
  delivery: 'passive',
  llm: { configured: true, model: 'deepseek-chat', baseUrl: 'https://api.deepseek.com/v1', apiKey: 'sk-ab…wxyz' },
  store: { kind: 'redis', url: 'redis://:***@redis.internal.example.com:6379' },
  sources: { token: 'generated', aesKey: 'generated', model: '.env', baseUrl: '.env', apiKey: '.env' },
  continueWord: '继续',
  console: { url: 'http://127.0.0.1:3000/_console/?secret=Y4FxpWmQnqbBI0Zs3PO9G0CGGpxaOXmG' },
};

describe('the serve banner', () => {
  it('fits 80 columns: notes move under their value, commands and URLs get a line of their own, values stay whole', () => {
    for (const theme of [createTheme(0), createTheme(3)]) {
      const banner = formatBanner(info, theme, { version: '0.1.0', quiet: false, width: 80 });
      for (const line of banner.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
      const plain = stripVTControlCharacters(banner);
      for (const value of [info.pasteUrl, info.token, info.aesKey as string, info.console.url as string]) {
        expect(plain).toContain(value);
      }
      expect(plain).toMatch(/\n {4}npx wechat-gpt simulate --url http:\/\/127\.0\.0\.1:3000\/wechat "你好"\n/);
    }
  });

  it('keeps every row on one line when the width is unknown (a pipe) or wide', () => {
    const piped = formatBanner(info, createTheme(0), { version: '0.1.0', quiet: false });
    expect(piped).toMatch(/EncodingAESKey {2}dguv\S+ {2}\(generated now, kept in \.wechat-gpt\/state\.json\)/);
    expect(formatBanner(info, createTheme(0), { version: '0.1.0', quiet: false, width: 200 })).toBe(piped);
  });
});
