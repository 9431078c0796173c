/**
 * The user's text compared once per message: command words, keyword rules and the image command agree with the
 * definitions they replace (each lowercasing the text again), on any text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imageCommandWords } from '../../src/bot/image-command.js';
import { compileRules, matchMenuKey, matchText } from '../../src/bot/keywords.js';
import { commandWords, Said } from '../../src/bot/said.js';
import type { KeywordRule } from '../../src/config.js';

/** The command check as first written. */
const isCommandAsBefore = (list: string[], text: string) =>
  list.some((word) => word.toLowerCase() === text.trim().toLowerCase());

/** The image command as first written. */
function imagePromptAsBefore(words: string[], text: string): { command: string; prompt: string } | undefined {
  const said = text.trim();
  for (const command of words) {
    if (said.toLowerCase() === command.toLowerCase()) return { command, prompt: '' };
    const head = said.slice(0, command.length);
    const rest = said.slice(command.length);
    if (head.toLowerCase() === command.toLowerCase() && /^\s/.test(rest)) return { command, prompt: rest.trim() };
  }
  return undefined;
}

/** The keyword tests as first written. */
function ruleMatchesAsBefore(rule: KeywordRule, text: string): boolean {
  const wanted = rule.pattern.trim().toLowerCase();
  if (rule.match === 'exact') return text.trim().toLowerCase() === wanted;
  if (rule.match === 'contains') return wanted.length > 0 && text.toLowerCase().includes(wanted);
  return new RegExp(rule.pattern, 'iu').test(text);
}

/** Texts made of the pieces that matter here: words of both cases, Chinese, whitespace of several kinds. */
const piece = fc.constantFrom(
  'Reset',
  'RESET',
  'reset',
  '帮助',
  '继续',
  '/画',
  '/DRAW',
  'draw',
  '猫',
  ' ',
  '\n',
  '\u3000',
  'a',
);
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
const words = fc.array(fc.constantFrom('reset', 'Reset', '帮助', '继续', '/画', '/draw', 'DRAW'), {
  minLength: 1,
  maxLength: 3,
});

describe('Said', () => {
  it('trims and lowercases once, lazily', () => {
    const said = new Said('  Hello 世界 ');
    expect(said.text).toBe('  Hello 世界 ');
    expect(said.trimmed).toBe('Hello 世界');
    expect(said.lower).toBe('hello 世界');
    expect(said.lower).toBe(said.lower);
  });

  it('command words agree with comparing each word in lowercase', () => {
    expect(commandWords(['Reset', '重置'])(new Said(' RESET '))).toBe(true);
    expect(commandWords(['Reset', '重置'])(new Said('reset me'))).toBe(false);
    fc.assert(
      fc.property(words, text, (list, typed) => {
        expect(commandWords(list)(new Said(typed))).toBe(isCommandAsBefore(list, typed));
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });

  it('the image command agrees with slicing and lowercasing per word', () => {
    expect(imageCommandWords(['/画'])(new Said(' /画  一只猫 '))).toEqual({ command: '/画', prompt: '一只猫' });
    expect(imageCommandWords(['/draw'])(new Said('/DRAW'))).toEqual({ command: '/draw', prompt: '' });
    expect(imageCommandWords(['/画'])(new Said('/画猫'))).toBeUndefined();
    fc.assert(
      fc.property(words, text, (list, typed) => {
        expect(imageCommandWords(list)(new Said(typed))).toEqual(imagePromptAsBefore(list, typed));
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });

  it('keyword rules and menu keys agree with lowercasing the text per rule', () => {
    const rule = fc.record({
      match: fc.constantFrom('exact', 'contains', 'regex') as fc.Arbitrary<KeywordRule['match']>,
      pattern: fc.constantFrom('reset', ' Reset ', '帮助', '猫', 'RE.*T', '^继续$', ''),
    });
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 4 }), text, (made, typed) => {
        const rules: KeywordRule[] = made.map((r, i) => ({ ...r, reply: { type: 'text', content: `reply ${i}` } }));
        const expected = rules.find((r) => ruleMatchesAsBefore(r, typed))?.reply;
        expect(matchText(compileRules(rules), new Said(typed))).toEqual(expected);
        expect(matchMenuKey(compileRules(rules), typed)).toEqual(expected);
      }),
      { seed: 20261130, numRuns: 2000 },
    );
  });
});
