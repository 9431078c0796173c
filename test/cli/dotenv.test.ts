import { describe, expect, it } from 'vitest';
import { findAssignmentLine, formatDotenvLine, parseDotenv } from '../../src/cli/dotenv.js';

describe('parseDotenv', () => {
  it('reads plain, quoted, exported and commented lines', () => {
    const { values, invalidLines } = parseDotenv(
      [
        '\uFEFF# a comment',
        'PLAIN=value',
        'SPACED = padded value  ',
        'export EXPORTED=yes',
        'INLINE=abc # a comment',
        'HASH=abc#not-a-comment',
        'DOUBLE="two\\nlines \\"quoted\\" # kept"',
        "SINGLE='literal \\n $HOME' # comment",
        'BACKTICK=`it\'s "mixed"`',
        'EMPTY=',
        'MULTI="first',
        'second"',
        'not an assignment',
        'PLAIN=later wins',
        '',
      ].join('\r\n'),
    );
    expect(values).toEqual({
      PLAIN: 'later wins',
      SPACED: 'padded value',
      EXPORTED: 'yes',
      INLINE: 'abc',
      HASH: 'abc#not-a-comment',
      DOUBLE: 'two\nlines "quoted" # kept',
      SINGLE: 'literal \\n $HOME',
      BACKTICK: 'it\'s "mixed"',
      EMPTY: '',
      MULTI: 'first\nsecond',
    });
    expect(invalidLines).toEqual([13]);
  });

  it('reports an unterminated quote or junk after the closing quote as invalid', () => {
    expect(parseDotenv('A="open\nB=1').invalidLines).toEqual([1]);
    expect(parseDotenv('A="x" y\nB=2')).toEqual({ values: { B: '2' }, invalidLines: [1] });
  });
});

describe('formatDotenvLine', () => {
  it('quotes only when needed, and round-trips', () => {
    expect(formatDotenvLine('TOKEN', 'Abc123')).toBe('TOKEN=Abc123');
    expect(formatDotenvLine('URL', 'redis://:p@h:6379/0')).toBe('URL=redis://:p@h:6379/0');
    for (const value of ['has space', 'quote " and \\ backslash', 'line\nbreak', '# hash', '']) {
      expect(parseDotenv(formatDotenvLine('K', value)).values.K).toBe(value);
    }
  });
});

describe('findAssignmentLine', () => {
  it('finds KEY= and export KEY=, not a commented placeholder', () => {
    expect(findAssignmentLine(['# TOKEN=', 'OTHER=1', 'export TOKEN=x'], 'TOKEN')).toBe(2);
    expect(findAssignmentLine(['# TOKEN='], 'TOKEN')).toBe(-1);
  });
});
