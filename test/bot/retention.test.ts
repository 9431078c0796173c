/**
 * What an answered message leaves behind for its attempts' window (the job of this process, its record in the store,
 * the conversation) is the message's own data, never the request body its fields were read from: a parsed field is a
 * slice of the body, and keeping one (an openid, the quoted question) would keep a body per message in the heap.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { createWechatGpt } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { parseMessage } from '../../src/wechat/index.js';

const PADDING = 4096;

function body(i: number, now: number): string {
  return (
    `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>` +
    `<FromUserName><![CDATA[o${String(i).padStart(27, '0')}]]></FromUserName>` +
    `<CreateTime>${Math.floor(now / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[问题${i}]]></Content><MsgId>${10n ** 17n + BigInt(i)}</MsgId>` +
    `<Padding>${'x'.repeat(PADDING)}</Padding></xml>`
  );
}

it('keeps no request body alive with the answers kept for their attempts', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const gpt = createWechatGpt({
    wechat: { token: 'retentionToken1' },
    store: createMemoryStore(),
    logger: silentLogger,
  });
  // A handler's answer takes the full path a model answer takes: a job kept here, a record in the store.
  gpt.bot.use(({ text }) => ({ type: 'text', content: `答：${text}` }));
  const messages = 3000;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < messages; i++) {
    const now = Date.now();
    const outcome = await gpt.bot.respond(parseMessage(body(i, now)), { receivedAt: now });
    outcome.written?.();
  }
  expect(await gpt.bot.drain(5000)).toBe(true);
  gc();
  const perMessage = (process.memoryUsage().heapUsed - before) / messages;
  // Each answer keeps well under 2 kB of its own; a kept body (two bytes a character, with Chinese in it) over 8 kB.
  expect(perMessage).toBeLessThan(2500);
  await gpt.close({ drainMs: 100 });
});
