/**
 * Word lists compiled into one Aho–Corasick automaton (@monyone/aho-corasick, its double-array build): one pass over
 * the normalized text whatever the number of words, each hit mapped back to the original characters.
 */
import { AhoCorasick } from '@monyone/aho-corasick/fast';
import { normalizeForMatching, normalizeWord } from './normalize.js';
import type { WordList } from './word-list.js';

export interface WordHit {
  /** The list the word is on, and the word as written there. */
  list: string;
  rule: string;
  /** The matched characters in the original text: [start, end). */
  start: number;
  end: number;
}

export interface WordMatcher {
  /** How many distinct words the automaton holds. */
  readonly size: number;
  /** Every occurrence of a listed word, in the original text's coordinates. */
  find(text: string): WordHit[];
}

export function createWordMatcher(lists: readonly WordList[]): WordMatcher {
  const owners = new Map<string, { list: string; rule: string }>();
  for (const { name, words } of lists) {
    for (const word of words) {
      const key = normalizeWord(word);
      if (key && !owners.has(key)) owners.set(key, { list: name, rule: word });
    }
  }
  const automaton = owners.size > 0 ? new AhoCorasick([...owners.keys()]) : undefined;
  return {
    size: owners.size,
    find(text) {
      if (!automaton || text === '') return [];
      const normalized = normalizeForMatching(text);
      return automaton.matchInText(normalized.text).map(({ begin, end, keyword }) => ({
        ...(owners.get(keyword) as { list: string; rule: string }),
        start: normalized.from[begin] as number,
        end: normalized.to[end - 1] as number,
      }));
    },
  };
}

/** Replaces every character of the hits with ＊ (wide characters) or * (the rest), separators inside a hit included. */
export function maskHits(text: string, hits: readonly WordHit[]): string {
  if (hits.length === 0) return text;
  const masked = new Uint8Array(text.length);
  for (const { start, end } of hits) masked.fill(1, start, end);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    out += masked[i] ? (code >= 0x2e80 ? '＊' : '*') : text.slice(i, i + width);
    i += width;
  }
  return out;
}
