import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from '../../src/cli/logger.js';
import { colorLevel, createTheme } from '../../src/cli/theme.js';

const tty = { isTTY: true, getColorDepth: () => 8 };
const pipe = { isTTY: false };

describe('colorLevel', () => {
  it('follows --no-color, NO_COLOR, FORCE_COLOR, then the terminal', () => {
    expect(colorLevel(tty, { env: {}, noColorFlag: false })).toBe(2);
    expect(colorLevel(pipe, { env: {}, noColorFlag: false })).toBe(0);
    expect(colorLevel(tty, { env: { TERM: 'dumb' }, noColorFlag: false })).toBe(0);
    expect(colorLevel(tty, { env: {}, noColorFlag: true })).toBe(0);
    expect(colorLevel(tty, { env: { NO_COLOR: '1' }, noColorFlag: false })).toBe(0);
    // An empty NO_COLOR does not count (no-color.org).
    expect(colorLevel(tty, { env: { NO_COLOR: '' }, noColorFlag: false })).toBe(2);
    expect(colorLevel(pipe, { env: { FORCE_COLOR: '1' }, noColorFlag: false })).toBe(1);
    expect(colorLevel(pipe, { env: { FORCE_COLOR: '3' }, noColorFlag: false })).toBe(3);
    expect(colorLevel(tty, { env: { FORCE_COLOR: '0' }, noColorFlag: false })).toBe(0);
    expect(colorLevel(pipe, { env: { FORCE_COLOR: '1', NO_COLOR: '1' }, noColorFlag: false })).toBe(0);
  });
});

describe('createCliLogger', () => {
  it('writes levelled lines with hints, dropping those below its level', () => {
    let out = '';
    const logger = createCliLogger({
      stream: { write: (t: string) => (out += t) },
      theme: createTheme(1),
      level: 'info',
    });
    logger.debug('hidden');
    logger.info('shown');
    logger.warn('careful');
    logger.error('broke', 'do this');
    expect(stripVTControlCharacters(out)).toBe('shown\nwarning: careful\nerror: broke\nhint: do this\n');
    expect(out).not.toBe(stripVTControlCharacters(out));
  });
});
