/**
 * Answers kept for minutes share their hidden classes. On Node 20 an object spread at a site that has seen several
 * shapes gave every copy a map of its own: a new map and descriptor array per message, kept with the stored answer,
 * and every read of it megamorphic (2 extra maps per model answer in the heap). Held here through V8's %HaveSameMap.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createWechatGpt } from '../../src/index.js';
import type { LlmClient } from '../../src/llm/types.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { buildMessageXml, parseMessage } from '../../src/wechat/index.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const instantModel = (llm: LlmClient): LlmClient => ({
  ...llm,
  configured: true,
  async chat() {
    return { text: '基础版 99 元/月', model: 'instant', latencyMs: 0 };
  },
});

describe('hidden classes of kept answers', () => {
  it('parsed messages of one type share one map', () => {
    const parse = (n: number) =>
      parseMessage(
        buildMessageXml({
          type: 'text',
          toUser: 'gh_test',
          fromUser: `oParsed${n}`,
          createTime: 1_764_500_000 + n,
          content: `消息 ${n}`,
          msgId: String(20_000 + n),
        }),
      );
    for (let n = 0; n < 200; n++) parse(n);
    expect(haveSameMap(parse(1), parse(2))).toBe(true);
  });

  it('the stored answers of many model answers share their maps, meta included', async () => {
    const store = createMemoryStore();
    const gpt = createWechatGpt(
      { wechat: { token: 'hiddenClass1' }, llm: { apiKey: 'sk-test' }, store, logger: silentLogger },
      { wrapLlm: instantModel },
    );
    gpt.bot.use(({ text }) => (text === 'handled' ? { type: 'text', content: 'by a handler' } : undefined));
    const keys: string[] = [];
    for (let n = 1; n <= 300; n++) {
      const question = n % 7 === 0 ? 'handled' : n % 5 === 0 ? '帮助' : `问题 ${n}`;
      const outcome = await gpt.bot.respond({
        type: 'text',
        toUser: 'gh_test',
        fromUser: `oHiddenClass${n}`,
        createTime: Math.floor(Date.now() / 1000),
        content: question,
        msgId: String(10_000 + n),
      });
      outcome.written?.();
      if (n % 5 && n % 7) keys.push(outcome.key);
    }
    await gpt.bot.drain(1000);
    const [a, b, c] = await Promise.all(keys.slice(-3).map((key) => store.getJob(key)));
    expect(a?.result?.meta.source).toBe('llm');
    expect(haveSameMap(a!.result!, b!.result!) && haveSameMap(b!.result!, c!.result!)).toBe(true);
    expect(haveSameMap(a!.result!.meta, b!.result!.meta) && haveSameMap(b!.result!.meta, c!.result!.meta)).toBe(true);
    expect(haveSameMap(a!, b!) && haveSameMap(b!, c!)).toBe(true);
    await gpt.close({ drainMs: 100 });
  });
});
