// WeChat's menu rules, checked before the API is called: each broken rule named with its button.
import { describe, expect, it } from 'vitest';
import { checkMenu, clickKeys, type Menu, unansweredClicks } from '../../src/menu/index.js';

const good: Menu = {
  button: [
    { type: 'click', name: '今日推荐', key: 'TODAY' },
    {
      name: '服务',
      sub_button: [
        { type: 'view', name: '官网', url: 'https://example.com/' },
        { type: 'miniprogram', name: '小程序', url: 'https://example.com/', appid: 'wx123', pagepath: 'pages/index' },
        { type: 'scancode_push', name: '扫一扫', key: 'SCAN' },
        { type: 'click', name: '联系我们', key: 'CONTACT' },
        { type: 'article_id', name: '文章', article_id: 'ART_ID' },
      ],
    },
    { type: 'location_select', name: '位置', key: 'WHERE' },
  ],
};

const rulesOf = (menu: unknown) => checkMenu(menu).map((p) => `${p.button} ${p.rule}`);

describe('menu rules', () => {
  it('accepts a menu within every rule (16 bytes exactly for a name)', () => {
    expect(checkMenu(good)).toEqual([]);
    expect(checkMenu({ button: [{ type: 'click', name: 'abcdefghijklmnop', key: 'K' }] })).toEqual([]);
  });

  it('counts buttons and sub-buttons', () => {
    const four = { button: [...good.button, { type: 'click', name: 'x', key: 'X' }] };
    expect(rulesOf(four)).toEqual(['menu buttons']);
    const six = {
      button: [
        {
          name: '多',
          sub_button: Array.from({ length: 6 }, (_, i) => ({ type: 'click', name: `b${i}`, key: `K${i}` })),
        },
      ],
    };
    expect(rulesOf(six)).toEqual(['「多」 sub-buttons']);
    expect(rulesOf({ button: [] })).toEqual(['menu buttons']);
  });

  it('measures names in UTF-8 bytes: 16 at the top, 60 below', () => {
    const problems = checkMenu({
      button: [
        { type: 'click', name: '六个汉字菜单', key: 'A' },
        { name: '服务', sub_button: [{ type: 'click', name: '字'.repeat(21), key: 'B' }] },
      ],
    });
    expect(problems.map((p) => [p.button, p.rule, p.path])).toEqual([
      ['「六个汉字菜单」', 'name length', 'button[0].name'],
      [`「服务」 → 「${'字'.repeat(21)}」`, 'name length', 'button[1].sub_button[0].name'],
    ]);
    expect(problems[0]?.message).toMatch(/18 bytes; WeChat allows at most 16/);
  });

  it('checks the type and what it needs: key ≤ 128 bytes, url ≤ 1024 bytes and http(s), miniprogram fields', () => {
    expect(
      rulesOf({
        button: [
          { type: 'tap', name: 'a', key: 'A' },
          { type: 'click', name: 'b', key: 'k'.repeat(129) },
          {
            name: 'c',
            sub_button: [
              { type: 'view', name: 'd', url: 'ftp://example.com' },
              { type: 'view', name: 'e', url: `https://example.com/${'x'.repeat(1010)}` },
              { type: 'miniprogram', name: 'f', url: 'https://example.com' },
              { type: 'click', name: 'g' },
              { type: 'media_id', name: 'h' },
            ],
          },
        ],
      }),
    ).toEqual([
      '「a」 type',
      '「b」 key length',
      '「c」 → 「d」 url scheme',
      '「c」 → 「e」 url length',
      '「c」 → 「f」 appid',
      '「c」 → 「f」 pagepath',
      '「c」 → 「g」 key',
      '「c」 → 「h」 media_id',
    ]);
  });

  it('refuses a third level and a nameless button', () => {
    expect(
      rulesOf({ button: [{ name: 'a', sub_button: [{ name: 'b', sub_button: [], type: 'click', key: 'K' }] }] }),
    ).toEqual(['「a」 → 「b」 depth']);
    expect(rulesOf({ button: [{ type: 'click', key: 'K' }] })).toEqual(['#1 name']);
  });

  it('lists CLICK keys, and those no keyword rule answers', () => {
    expect(clickKeys(good).map((k) => k.key)).toEqual(['TODAY', 'CONTACT']);
    const rules = [{ match: 'exact' as const, pattern: 'today', reply: { type: 'text' as const, content: '推荐' } }];
    expect(unansweredClicks(good, rules)).toEqual([{ key: 'CONTACT', button: '「服务」 → 「联系我们」' }]);
  });
});
