/** The conversation's token estimate and bounds: what the model is sent and what the store keeps. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundTurns, estimateTokens } from '../../src/bot/history.js';
import type { ChatTurn } from '../../src/store/types.js';

/** The estimate as first written, a string per character: the faster one must agree with it on any text. */
function estimateByCharacter(content: string): number {
  let cjk = 0;
  for (const char of content) if (/[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(char)) cjk++;
  return cjk + Math.ceil((content.length - cjk) / 4) + 4;
}

describe('estimateTokens', () => {
  it('counts a CJK character as a token and four other characters as one', () => {
    expect(estimateTokens('')).toBe(4);
    expect(estimateTokens('你好')).toBe(6);
    expect(estimateTokens('hello world!')).toBe(7);
    expect(estimateTokens('한국어，ｆｕｌｌ')).toBe(12);
  });

  it('agrees with the per-character estimate on any text (emoji and other surrogate pairs included)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(estimateTokens(text)).toBe(estimateByCharacter(text));
      }),
      { seed: 20261130, numRuns: 500 },
    );
    expect(estimateTokens('😀中')).toBe(estimateByCharacter('😀中'));
  });

  it('adds up the parts of a message with an image', () => {
    expect(
      estimateTokens([
        { type: 'image_url', imageUrl: 'https://example.com/a.jpg' },
        { type: 'text', text: '图' },
      ]),
    ).toBe(305);
  });
});

describe('boundTurns', () => {
  const turn = (role: ChatTurn['role'], content: string): ChatTurn => ({ role, content, at: 0 });

  it('keeps the newest pairs within the token budget, starting with a question', () => {
    const turns = [
      turn('user', '一'.repeat(50)),
      turn('assistant', '二'.repeat(50)),
      turn('user', '三'),
      turn('assistant', '四'),
    ];
    expect(boundTurns(turns, { maxTurns: 10, maxTokens: 1000 })).toHaveLength(4);
    expect(boundTurns(turns, { maxTurns: 1, maxTokens: 1000 }).map((t) => t.content)).toEqual(['三', '四']);
    expect(boundTurns(turns, { maxTurns: 10, maxTokens: 70 }).map((t) => t.content)).toEqual(['三', '四']);
  });
});
