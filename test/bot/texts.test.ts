/** Quoting what a user said (previews, "你之前问的「…」") and filling the configurable texts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillTemplate, quote } from '../../src/bot/texts.js';

/** The quote as first written: the whole text collapsed, trimmed and split into characters. */
function quoteWhole(text: string, maxChars = 20): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= maxChars ? chars.join('') : `${chars.slice(0, maxChars).join('')}…`;
}

describe('quote', () => {
  it('collapses whitespace, counts characters and cuts with an ellipsis', () => {
    expect(quote('  今天  天气\n怎么样  ')).toBe('今天 天气 怎么样');
    expect(quote('一二三四五六', 3)).toBe('一二三…');
    expect(quote('😀😀😀😀', 3)).toBe('😀😀😀…');
    expect(quote('ab   ', 2)).toBe('ab');
    expect(quote('ab c', 2)).toBe('ab…');
    expect(quote('ab  c', 3)).toBe('ab …');
  });

  it('agrees with quoting the whole text on any text, as far as it reads', () => {
    const text = fc.array(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        fc.constantFrom(' ', '\n', '\u3000', '  \t', '\u00a0', '\u2028', '\ufeff', '\v\f\r', '\u200a'),
      ),
      {
        maxLength: 30,
      },
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 12 }), (parts, maxChars) => {
        const joined = parts.join('');
        expect(quote(joined, maxChars)).toBe(quoteWhole(joined, maxChars));
      }),
      { seed: 20261130, numRuns: 1000 },
    );
  });

  it('takes every code unit for whitespace exactly when \\s does (the short path checks without a regular expression)', () => {
    const wrong: number[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const text = `a${String.fromCharCode(unit)}b`;
      if (quote(text) !== text.replace(/\s+/g, ' ').trim()) wrong.push(unit);
    }
    expect(wrong).toEqual([]);
  });
});

describe('fillTemplate', () => {
  it('fills known names and leaves the others', () => {
    expect(fillTemplate('每天 {limit} 次，{unknown}', { limit: 2 })).toBe('每天 2 次，{unknown}');
  });
});
