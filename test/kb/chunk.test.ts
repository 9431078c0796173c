/** Chunking at paragraph and sentence boundaries, within the token budget, for Chinese and English. */
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/bot/history.js';
import { normaliseQuestion } from '../../src/kb/answering.js';
import { chunkText } from '../../src/kb/chunk.js';

describe('chunkText', () => {
  it('keeps short paragraphs together in one passage', () => {
    expect(chunkText('# 标题\n\n第一段。\n\n第二段。')).toEqual(['# 标题\n第一段。\n第二段。']);
  });

  it('cuts long Chinese text at sentence ends, every passage within the budget', () => {
    const sentence = '收到商品七天内可以无理由退货，请保持商品完好并附上订单号。';
    const text = sentence.repeat(40);
    const chunks = chunkText(text, { maxTokens: 100 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk)).toBeLessThanOrEqual(100);
      expect(chunk.endsWith('。')).toBe(true);
    }
    expect(chunks.join('')).toBe(text);
  });

  it('cuts English at sentence ends too, and a sentence longer than the budget at words', () => {
    const text = `${'The shop opens at nine. '.repeat(60)}\n\n${'word '.repeat(400)}`;
    const chunks = chunkText(text, { maxTokens: 60 });
    for (const chunk of chunks) expect(estimateTokens(chunk)).toBeLessThanOrEqual(60);
    expect(chunks[0]).toMatch(/nine\.\s*$/);
    expect(chunks.join(' ').match(/word/g)).toHaveLength(400);
  });
});

describe('normaliseQuestion', () => {
  it('ignores width, case, spaces and trailing punctuation', () => {
    expect(normaliseQuestion(' 周六 几点开门？？ ')).toBe(normaliseQuestion('周六几点开门'));
    expect(normaliseQuestion('ＷｈａｔＴｉｍｅ?')).toBe('whattime');
    expect(normaliseQuestion('周六几点开门')).not.toBe(normaliseQuestion('周日几点开门'));
  });
});
