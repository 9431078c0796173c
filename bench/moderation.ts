/**
 * Moderation's cost per answer: a 20,000-word list (2–4 random CJK characters each, like a real 敏感词 list) checking a
 * 2,000-character Chinese answer — normalization (width, case, separators) plus one Aho–Corasick pass, and masking.
 */
import { createWordMatcher, maskHits } from '../src/moderation/index.js';
import { markdownTable, median } from './table.js';

/** A small deterministic generator, so every run checks the same words and text. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const COMMON = '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出就那要下得可你年生自会，。、！？ ';

export interface ModerationBench {
  markdown: string;
  checkUs: number;
}

export function benchModeration({ words = 20_000, chars = 2000, runs = 2000 } = {}): ModerationBench {
  const random = generator(7);
  const list = new Set<string>();
  while (list.size < words) {
    let word = '';
    const length = 2 + Math.floor(random() * 3);
    for (let i = 0; i < length; i++) word += String.fromCharCode(0x4e00 + Math.floor(random() * 3000));
    list.add(word);
  }
  let text = '';
  while (text.length < chars) text += COMMON[Math.floor(random() * COMMON.length)];
  // Two listed words in the answer, one with a separator inside, so masking has work to do.
  const [first, second] = [...list] as [string, string];
  text = `${text.slice(0, 500)}${first}${text.slice(500, 1500)}${second[0]}*${second.slice(1)}${text.slice(1500)}`;

  const built = performance.now();
  const matcher = createWordMatcher([{ name: 'bench', words: [...list] }]);
  const buildMs = performance.now() - built;

  const time = (work: () => void) => {
    for (let i = 0; i < 200; i++) work();
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      for (let i = 0; i < runs; i++) work();
      samples.push(((performance.now() - start) / runs) * 1000);
    }
    return median(samples);
  };
  let hits = 0;
  const checkUs = time(() => {
    hits = matcher.find(text).length;
  });
  const maskUs = time(() => void maskHits(text, matcher.find(text)));
  const markdown = markdownTable(
    ['list', 'answer', 'build', 'check (µs per answer)', 'check + mask (µs)', 'hits'],
    [
      [
        `${words.toLocaleString('en')} words`,
        `${text.length.toLocaleString('en')} chars`,
        `${buildMs.toFixed(0)} ms`,
        checkUs.toFixed(1),
        maskUs.toFixed(1),
        String(hits),
      ],
    ],
  );
  return { markdown, checkUs };
}
