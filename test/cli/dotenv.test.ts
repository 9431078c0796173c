import { describe, expect, it } from 'vitest';
import { findAssignmentLine, formatDotenvLine, parseDotenv } from '../../src/cli/dotenv.js';

describe('parseDotenv (util.parseEnv, plus the lines that are not settings)', () => {
  it('reads plain, quoted, exported and commented lines, and reports the rest', () => {
    const { values, invalidLines } = parseDotenv(
      [
        '\uFEFF# a comment',
        'PLAIN=value',
        'SPACED = padded value  ',
        'export EXPORTED=yes',
        'INLINE=abc # a comment',
        'DOUBLE="two\\nlines"',
        "SINGLE='literal \\n $HOME' # comment",
        'BACKTICK=`it\'s "mixed"`',
        'EMPTY=',
        'MULTI="first',
        'second"',
        'not an assignment',
        'AFTER=kept',
        'PLAIN=later wins',
        '',
      ].join('\r\n'),
    );
    expect(values).toEqual({
      PLAIN: 'later wins',
      SPACED: 'padded value',
      EXPORTED: 'yes',
      INLINE: 'abc',
      DOUBLE: 'two\nlines',
      SINGLE: 'literal \\n $HOME',
      BACKTICK: 'it\'s "mixed"',
      EMPTY: '',
      MULTI: 'first\nsecond',
      AFTER: 'kept',
    });
    expect(invalidLines).toEqual([12]);
  });
});

describe('formatDotenvLine', () => {
  it('quotes only when needed, and round-trips through parseEnv', () => {
    expect(formatDotenvLine('A', 'sk-abc_123')).toBe('A=sk-abc_123');
    for (const value of ['with space', 'a # b', 'quote"d', "it's", 'new\nline', '`tick` and "dq"', '中文 值']) {
      expect(parseDotenv(formatDotenvLine('K', value)).values.K).toBe(value);
    }
  });
});

describe('findAssignmentLine', () => {
  it('finds KEY= and export KEY=, not a commented placeholder', () => {
    const lines = ['# KEY=placeholder', 'OTHER=1', 'export KEY=value'];
    expect(findAssignmentLine(lines, 'KEY')).toBe(2);
    expect(findAssignmentLine(['# KEY='], 'KEY')).toBe(-1);
  });
});
