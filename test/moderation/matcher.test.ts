// The word lists: parsing, normalization (width, case, separators) and masking in the original text's coordinates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  createWordMatcher,
  loadWordLists,
  maskHits,
  normalizeForMatching,
  parseWordList,
} from '../../src/moderation/index.js';

const matcher = createWordMatcher([
  { name: 'politics', words: ['敏感词', '违禁 话题'] },
  { name: 'spam', words: ['BuyNow', '加微信'] },
]);
const mask = (text: string) => maskHits(text, matcher.find(text));

describe('word lists', () => {
  it('reads one word per line, skipping # comments and blank lines; an empty file is an empty list', () => {
    expect(parseWordList('\uFEFF# 注释\n敏感词\r\n\n  违禁  \n#另一个\n')).toEqual(['敏感词', '违禁']);
    expect(parseWordList('')).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'wechat-gpt-words-'));
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(join(dir, 'a.txt'), '甲词\n# x\n');
    expect(
      loadWordLists(
        [
          { name: 'e', file: 'empty.txt' },
          { name: 'a', file: 'a.txt', words: ['乙词'] },
        ],
        dir,
      ),
    ).toEqual([
      { name: 'e', words: [] },
      { name: 'a', words: ['甲词', '乙词'] },
    ]);
    expect(createWordMatcher(loadWordLists([{ name: 'e', file: 'empty.txt' }], dir)).find('任何文字')).toEqual([]);
  });

  it('names a list file that cannot be read, with a hint', () => {
    const read = () => loadWordLists([{ name: 'x', file: 'missing.txt' }], tmpdir());
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/moderation\.lists\.0\.file: cannot read missing\.txt \(ENOENT\)/);
  });
});

describe('matching', () => {
  it('finds words with their list and rule, in the original coordinates', () => {
    expect(matcher.find('这是敏感词吗')).toEqual([{ list: 'politics', rule: '敏感词', start: 2, end: 5 }]);
    expect(matcher.find('今天天气不错')).toEqual([]);
  });

  it('sees through separators, full-width forms and case', () => {
    expect(mask('这是敏*感*词')).toBe('这是＊*＊*＊');
    expect(mask('敏 感　词。')).toBe('＊*＊＊＊。');
    expect(mask('违禁话题')).toBe('＊＊＊＊');
    expect(mask('快来ＢＵＹ－ＮＯＷ吧')).toBe('快来＊＊＊＊＊＊＊吧');
    expect(mask('buy.now!')).toBe('*******!');
    expect(mask('加\u200b微\u200b信')).toBe('＊*＊*＊');
  });

  it('masks overlapping and repeated hits, keeping emoji and other text intact', () => {
    expect(mask('😀敏感词敏感词😀ok')).toBe('😀＊＊＊＊＊＊😀ok');
    expect(normalizeForMatching('A😀b').text).toBe('ab');
  });

  it('ignores words that are separators only, and works with no words at all', () => {
    const empty = createWordMatcher([{ name: 'x', words: ['***', ' '] }]);
    expect(empty.size).toBe(0);
    expect(empty.find('*** 敏感词')).toEqual([]);
  });
});
