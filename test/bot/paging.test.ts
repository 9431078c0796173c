/** Long answers split into pages that each fit WeChat's 2048 bytes, hint included, without breaking a character. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paginate, utf8Bytes } from '../../src/bot/paging.js';

const hint = (page: number, pages: number) => `\n\n（回复「继续」查看剩余 (${page + 1}/${pages})）`;
const graphemes = (text: string) =>
  Array.from(new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(text), (s) => s.segment);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The pages without their hints, checking each hint is the right one. */
function contents(pages: string[], hintOf = hint): string[] {
  return pages.map((page, index) => {
    if (index === pages.length - 1) return page;
    const expected = hintOf(index + 1, pages.length);
    expect(page.endsWith(expected)).toBe(true);
    return page.slice(0, page.length - expected.length);
  });
}

function expectFits(pages: string[], maxBytes: number) {
  for (const page of pages) {
    expect(utf8Bytes(page)).toBeLessThanOrEqual(maxBytes);
    expect(page).not.toMatch(LONE_SURROGATE);
  }
}

describe('utf8Bytes', () => {
  it('counts UTF-8 bytes', () => {
    expect(utf8Bytes('a')).toBe(1);
    expect(utf8Bytes('é')).toBe(2);
    expect(utf8Bytes('中')).toBe(3);
    expect(utf8Bytes('😀')).toBe(4);
    expect(utf8Bytes('👨‍👩‍👧')).toBe(18);
  });
});

describe('paginate', () => {
  it('keeps a short text as one page without a hint, and blank text as no pages', () => {
    expect(paginate('  你好  ', { hint })).toEqual(['你好']);
    expect(paginate(' \n ', { hint })).toEqual([]);
  });

  it('splits a long Chinese answer at paragraphs, every page within 2048 bytes with a numbered hint', () => {
    const text = Array.from(
      { length: 60 },
      (_, i) => `第${i + 1}段：这是一个很长的回答，用来测试分页功能是否正常。`,
    ).join('\n\n');
    const pages = paginate(text, { hint });
    expect(pages.length).toBe(3);
    expectFits(pages, 2048);
    expect(pages[0]).toMatch(/\(2\/3\)）$/);
    expect(pages[1]).toMatch(/\(3\/3\)）$/);
    expect(pages[2]).not.toMatch(/继续/);
    const bodies = contents(pages);
    for (const body of bodies) expect(body).toMatch(/^第\d+段：.*正常。$/s);
    expect(bodies.join('\n\n')).toBe(text);
  });

  it('splits one long paragraph at sentence ends', () => {
    const text = Array.from({ length: 40 }, (_, i) => `这是第${i + 1}句话，内容比较长一些！`).join('');
    const pages = paginate(text, { maxBytes: 300, hint });
    expect(pages.length).toBeGreaterThan(2);
    expectFits(pages, 300);
    for (const body of contents(pages)) expect(body).toMatch(/！$/);
    expect(contents(pages).join('')).toBe(text);
  });

  it('splits a long sentence without full stops at its commas', () => {
    const text = Array.from({ length: 30 }, () => '我们一起慢慢地往前走').join('，');
    const pages = paginate(text, { maxBytes: 200 });
    expectFits(pages, 200);
    for (const page of pages.slice(0, -1)) expect(page).toMatch(/，$/);
    expect(pages.join('')).toBe(text);
  });

  it('splits a very long run without any punctuation or spaces between graphemes', () => {
    const text = '永'.repeat(1000);
    const pages = paginate(text, { maxBytes: 100 });
    expect(pages.map(utf8Bytes)).toEqual([...Array(30).fill(99), 30]);
    expect(pages.join('')).toBe(text);
  });

  it('splits English between words', () => {
    const text = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const pages = paginate(text, { maxBytes: 64 });
    expectFits(pages, 64);
    expect(pages.join(' ')).toBe(text);
  });

  it('never splits an emoji, a flag, a skin tone, a keycap or a ZWJ sequence', () => {
    const units = ['👨‍👩‍👧‍👦', '🇨🇳', '👍🏽', '1️⃣', '🏳️‍🌈', '😀', '中', 'e\u0301'];
    const text = Array.from({ length: 200 }, (_, i) => units[(i * 7) % units.length]).join('');
    // The largest of these graphemes is 25 bytes and the hint 5–7, so a page of 32 holds any of them whole.
    for (const maxBytes of [32, 33, 34, 64, 101]) {
      const pages = paginate(text, { maxBytes, hint: (p, n) => `(${p}/${n})` });
      expectFits(pages, maxBytes);
      const bodies = contents(pages, (p, n) => `(${p}/${n})`);
      expect(bodies.flatMap(graphemes)).toEqual(graphemes(text));
    }
  });

  it('keeps graphemes whole in long texts too (segmented in windows)', () => {
    const units = ['👨‍👩‍👧‍👦', '中', 'a', '🇨🇳', 'b', 'e\u0301', '。', '👍🏽'];
    const text = Array.from({ length: 6000 }, (_, i) => units[(i * 5 + (i >> 3)) % units.length]).join('');
    const tail = (p: number, n: number) => `(${p}/${n})`;
    const pages = paginate(text, { maxBytes: 64, hint: tail });
    expectFits(pages, 64);
    expect(contents(pages, tail).flatMap(graphemes)).toEqual(graphemes(text));
  });

  it('fits exactly: maxBytes bytes is one page, one byte more is two', () => {
    expect(paginate('中'.repeat(10), { maxBytes: 30, hint })).toEqual(['中'.repeat(10)]);
    const pages = paginate('中'.repeat(10), { maxBytes: 29 });
    expect(pages).toEqual(['中'.repeat(9), '中']);
    const ascii = paginate('a'.repeat(60), { maxBytes: 30 });
    expect(ascii).toEqual(['a'.repeat(30), 'a'.repeat(30)]);
  });

  it('fills a page up to the last byte with the hint', () => {
    const tail = (p: number, n: number) => `[${p}/${n}]`; // 5 bytes while there are fewer than 10 pages
    const pages = paginate('x'.repeat(40), { maxBytes: 15, hint: tail });
    expect(pages).toEqual([
      `${'x'.repeat(10)}[1/4]`,
      `${'x'.repeat(10)}[2/4]`,
      `${'x'.repeat(10)}[3/4]`,
      'x'.repeat(10),
    ]);
  });

  it('recounts when the page count gains a digit and the hints grow', () => {
    const tail = (p: number, n: number) => `[${p}/${n}]`;
    // With 5-byte hints ([1/9]) 100 bytes need 10 pages; at 10 pages the hints take 6–7 bytes ([1/10], [10/11]) and
    // 11 pages are needed, which is stable.
    const text = 'x'.repeat(100);
    const pages = paginate(text, { maxBytes: 15, hint: tail });
    expect(pages).toHaveLength(11);
    expectFits(pages, 15);
    expect(contents(pages, tail).join('')).toBe(text);
    expect(pages[0]).toBe(`${'x'.repeat(9)}[1/11]`);
    expect(pages[9]).toBe(`${'x'.repeat(8)}[10/11]`);
    expect(pages[10]).toBe('x'.repeat(11));
  });

  it('prefers a paragraph end, but not when it leaves the page nearly empty', () => {
    const first = '短段落。';
    const second = '长句子，'.repeat(40);
    const pages = paginate(`${first}\n\n${second}`, { maxBytes: 120 });
    expect(pages[0]!.startsWith(`${first}\n\n长句子`)).toBe(true);
    expect(utf8Bytes(pages[0]!)).toBeGreaterThan(60);

    const half = '甲'.repeat(25); // 75 of 120 bytes
    const paged = paginate(`${half}\n\n${'乙'.repeat(60)}`, { maxBytes: 120 });
    expect(paged[0]).toBe(half);
  });

  it('cuts a grapheme larger than a page between code points rather than break the limit', () => {
    const zalgo = `a${'\u0301'.repeat(100)}`;
    const pages = paginate(zalgo, { maxBytes: 50 });
    expectFits(pages, 50);
    expect(pages.join('')).toBe(zalgo);
  });

  it('refuses a hint that leaves no room for a character', () => {
    expect(() => paginate('中'.repeat(20), { maxBytes: 10, hint: () => '（回复继续）' })).toThrow(RangeError);
  });

  it('property: every page fits, hints are right, and the pages hold the whole text, graphemes intact', () => {
    const unit = fc.constantFrom(
      '中',
      '文',
      'a',
      'Z',
      ' ',
      '\n',
      '\n\n',
      '。',
      '，',
      '!',
      '.',
      '😀',
      '👨‍👩‍👧',
      '🇯🇵',
      '👍🏿',
      'é',
      'ñ',
      '\t',
    );
    // maxBytes from 72: the hint (up to 46 bytes) plus the largest grapheme (18) always fit, so no grapheme is cut.
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 400 }), fc.integer({ min: 72, max: 400 }), (units, maxBytes) => {
        const text = units.join('');
        const pages = paginate(text, { maxBytes, hint });
        expectFits(pages, maxBytes);
        const bodies = contents(pages);
        const visible = (s: string) => graphemes(s).filter((g) => /\S/.test(g));
        expect(bodies.flatMap(visible)).toEqual(visible(text));
        if (utf8Bytes(text.trim()) <= maxBytes) expect(pages.length).toBeLessThanOrEqual(1);
      }),
      { seed: Number(process.env.SEED ?? 424242), numRuns: Number(process.env.RUNS ?? 300) },
    );
  });

  it('property: even pages smaller than a grapheme keep the byte limit and lose no text', () => {
    const unit = fc.constantFrom('中', 'a', ' ', '\n\n', '。', '👨‍👩‍👧‍👦', '🇯🇵', 'e\u0301\u0301\u0301');
    const tail = () => '>';
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 120 }), fc.integer({ min: 5, max: 60 }), (units, maxBytes) => {
        const text = units.join('');
        const pages = paginate(text, { maxBytes, hint: tail });
        expectFits(pages, maxBytes);
        const squeeze = (s: string) => s.replace(/\s+/g, '');
        expect(squeeze(contents(pages, tail).join(''))).toBe(squeeze(text));
      }),
      { seed: Number(process.env.SEED ?? 424242), numRuns: Number(process.env.RUNS ?? 300) },
    );
  });
});
