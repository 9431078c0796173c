import { describe, expect, it } from 'vitest';
import { displayWidth, fitWidth, padEnd } from '../../src/cli/text-width.js';

describe('text width (string-width)', () => {
  it('counts CJK and emoji as two columns and colour codes as none', () => {
    expect(displayWidth('你好')).toBe(4);
    expect(displayWidth('ok👍')).toBe(4);
    expect(displayWidth('👨‍👩‍👧')).toBe(2);
    expect(displayWidth('\u001b[32mok\u001b[39m')).toBe(2);
    expect(padEnd('微信', 6)).toBe('微信  ');
  });

  it('cuts between graphemes, never inside an emoji, and marks the cut', () => {
    expect(fitWidth('短', 10)).toBe('短');
    expect(fitWidth('一二三四五六', 7)).toBe('一二三…');
    expect(fitWidth('ab👨‍👩‍👧cd', 4)).toBe('ab…');
    expect(fitWidth('ab👨‍👩‍👧cd', 5)).toBe('ab👨‍👩‍👧…');
    expect(fitWidth('two\n lines', 20)).toBe('two lines');
  });
});
