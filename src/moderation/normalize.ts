/**
 * The text as the word lists see it: NFKC (全角 → 半角, ｶ → カ), lower case, and no separators (`敏*感 词` → `敏感词`),
 * with a map from each unit of that text back to the original, so a match masks the characters the user sees.
 */

/** Whitespace, punctuation, symbols (emoji included) and invisible format characters: what people put between letters. */
const SEPARATOR = /^[\p{Z}\p{P}\p{S}\p{Cc}\p{Cf}]$/u;

export interface NormalizedText {
  text: string;
  /** For each UTF-16 unit of `text`: where its character starts in the original. */
  from: Int32Array;
  /** For each UTF-16 unit of `text`: where its character ends (exclusive) in the original. */
  to: Int32Array;
}

/** How one code point of the original appears in the normalized text ('' when it is a separator). */
function foldCodePoint(char: string, code: number): string {
  // CJK ideographs are the bulk of an answer and need no work: NFKC and case leave them alone.
  if (code >= 0x4e00 && code <= 0x9fff) return char;
  if (code < 0x80) {
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) return char;
    if (code >= 0x41 && code <= 0x5a) return String.fromCharCode(code + 32);
    return '';
  }
  if (SEPARATOR.test(char)) return '';
  const folded = char.normalize('NFKC').toLowerCase();
  // A full-width ！ becomes ! and is a separator again.
  return folded.length === 1 && SEPARATOR.test(folded) ? '' : folded;
}

export function normalizeForMatching(original: string): NormalizedText {
  let text = '';
  const from = new Int32Array(original.length * 3);
  const to = new Int32Array(original.length * 3);
  let units = 0;
  for (let i = 0; i < original.length; ) {
    const code = original.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const folded = foldCodePoint(width === 1 ? original[i]! : original.slice(i, i + 2), code);
    for (let k = 0; k < folded.length && units < from.length; k++) {
      from[units] = i;
      to[units] = i + width;
      units++;
    }
    text += folded;
    i += width;
  }
  return { text: text.slice(0, units), from: from.subarray(0, units), to: to.subarray(0, units) };
}

/** A word of a list in its matching form ('' when nothing is left: a word of separators only). */
export const normalizeWord = (word: string): string => normalizeForMatching(word).text;
