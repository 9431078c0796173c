// The word lists: parsing, normalization (width, case, separators) and masking in the original text's coordinates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import {
  createModeration,
  createWordMatcher,
  loadWordLists,
  type ModerationEvent,
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

describe('createModeration', () => {
  const config = resolveConfig({
    wechat: { token: 'modToken1' },
    moderation: { lists: [{ name: 'politics', words: ['敏感词'] }] },
  });

  it('hands each block and mask to onEvent, and logs the list and rule, never the user’s text', async () => {
    const events: ModerationEvent[] = [];
    const logged: string[] = [];
    const logger = {
      ...silentLogger,
      info: (fields: object, message?: string) => logged.push(JSON.stringify({ fields, message })),
    };
    const moderation = createModeration({ config, logger, onEvent: (event) => events.push(event) });
    expect(await moderation.checkQuestion('我的秘密问题：敏感词')).toMatchObject({ kind: 'block' });
    expect(await moderation.checkAnswer('回答里有敏感词')).toEqual({
      kind: 'mask',
      text: '回答里有＊＊＊',
      event: { stage: 'answer', action: 'mask', list: 'politics', rule: '敏感词', hits: 1 },
    });
    expect(await moderation.checkAnswer('干净的回答')).toEqual({ kind: 'allow', text: '干净的回答' });
    expect(events.map((e) => `${e.stage} ${e.action} ${e.list}/${e.rule}`)).toEqual([
      'question block politics/敏感词',
      'answer mask politics/敏感词',
    ]);
    expect(logged).toHaveLength(2);
    for (const line of logged) {
      expect(line).toContain('politics');
      expect(line).not.toMatch(/秘密|回答里/);
    }
  });
});
