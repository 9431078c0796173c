// Fixed answers (a keyword rule's text, the welcome, help): paged once and shared, frozen so that no message can
// change the answer the next one gets.
import { describe, expect, it } from 'vitest';
import { createFixedResults, createTextResult } from '../../src/bot/text-result.js';
import { resolveConfig } from '../../src/config/resolve.js';

const config = resolveConfig({ wechat: { token: 'token' }, limits: { maxReplyBytes: 256 } });

describe('fixed results', () => {
  const textResult = createTextResult(config);

  it('are the text result of the text, made once per text and source', () => {
    const fixedResult = createFixedResults(textResult);
    const first = fixedResult('基础版 99 元/月', 'keyword');
    expect(first).toEqual(textResult('基础版 99 元/月', 'keyword'));
    expect(fixedResult('基础版 99 元/月', 'keyword')).toBe(first);
    expect(fixedResult('基础版 99 元/月', 'command')).not.toBe(first);
    expect(fixedResult('基础版 99 元/月', 'command').meta.source).toBe('command');
  });

  it('page a long text like any answer, and cannot be changed', () => {
    const fixedResult = createFixedResults(textResult);
    const long = '这是一段很长的关键词回复。'.repeat(30);
    const result = fixedResult(long, 'keyword');
    expect(result).toEqual(textResult(long, 'keyword'));
    expect(result.morePages?.length).toBeGreaterThan(0);
    expect(Object.isFrozen(result) && Object.isFrozen(result.reply) && Object.isFrozen(result.meta)).toBe(true);
    expect(Object.isFrozen(result.morePages) && result.morePages!.every((page) => Object.isFrozen(page))).toBe(true);
    expect(() => {
      (result.meta as { source: string }).source = 'llm';
    }).toThrow(TypeError);
  });

  it('keep a bounded number of texts (welcome texts that name a scene can be many)', () => {
    const fixedResult = createFixedResults(textResult);
    const first = fixedResult('欢迎 scene 0', 'event');
    for (let scene = 1; scene <= 300; scene++) fixedResult(`欢迎 scene ${scene}`, 'event');
    expect(fixedResult('欢迎 scene 0', 'event')).not.toBe(first);
    expect(fixedResult('欢迎 scene 0', 'event')).toEqual(first);
  });
});
