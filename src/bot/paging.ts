/**
 * Splitting a long answer into WeChat-sized pages: every page, its "reply 继续" hint included, fits in maxBytes of
 * UTF-8, and pages end where a reader expects (a paragraph, a line, a sentence, a clause, a space) before falling back
 * to any grapheme boundary, so no emoji, flag or ZWJ sequence is ever cut in half.
 */

export interface PaginateOptions {
  /** The most UTF-8 bytes of one page, hint included (default 2048, the field practice for text replies). */
  maxBytes?: number;
  /** Appended to every page but the last. `page` is the 1-based number of the page it ends, `pages` the total. */
  hint?: (page: number, pages: number) => string;
}

/** A page ending at a coarse boundary wins when it is at least this full; otherwise a finer boundary may fill more. */
const MIN_FILL = 0.5;
/** Enough rounds for the page count to settle; in practice it settles in one or two. */
const MAX_ROUNDS = 32;
/** How many UTF-16 units are segmented at once (see segmentStarts). */
const WINDOW = 1024;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The pages of `text`, trimmed. Text that fits is one page with no hint; blank text is no pages. Whitespace at the
 * split points is dropped. A single grapheme larger than a page (pathological combining-mark runs) is the one case
 * split between code points: the byte limit always wins.
 */
export function paginate(text: string, { maxBytes = 2048, hint = () => '' }: PaginateOptions = {}): string[] {
  const body = text.trim();
  if (!body) return [];
  if (utf8Bytes(body) <= maxBytes) return [body];

  const layout = createLayout(body);
  // The hints name the page count, whose digits change the room they take: lay out until the count is stable.
  let count = 2;
  let contents = layout.split(maxBytes, (index) => maxBytes - utf8Bytes(hint(index + 1, count)));
  for (let round = 0; round < MAX_ROUNDS && contents.length !== count; round++) {
    count = contents.length;
    contents = layout.split(maxBytes, (index) => maxBytes - utf8Bytes(hint(index + 1, count)));
  }
  const pages = contents.length;
  return contents.map((content, index) => {
    if (index === pages - 1) return content;
    const tail = hint(index + 1, pages);
    // Only reachable if the count never settled (a hint whose width shrinks as pages grow): keep the limit anyway.
    return utf8Bytes(content) + utf8Bytes(tail) <= maxBytes
      ? content + tail
      : fitBytes(content, maxBytes - utf8Bytes(tail)) + tail;
  });
}

/** Boundaries of one text, computed once and reused while the page count settles. */
function createLayout(text: string) {
  const byteAt = prefixBytes(text);
  const graphemes = segmentStarts(text, 'grapheme');
  const graphemeSet = new Set(graphemes);
  const after = (pattern: RegExp) =>
    [...text.matchAll(pattern)].map((m) => m.index + m[0].length).filter((i) => graphemeSet.has(i));
  const levels = [
    after(/\n[ \t]*\n\s*/g), // paragraphs
    after(/\n/g), // lines (list items, code)
    segmentStarts(text, 'sentence'),
    after(/[，、；：,;:]/g), // clauses of a long sentence
    after(/\s/g), // words of a long unpunctuated run
    graphemes,
  ].map((boundaries) => [...boundaries, text.length]);

  const isSpace = (i: number) => /\s/.test(text[i] ?? '');
  /** The end of the content before boundary b, trailing whitespace removed (never before start). */
  const trimmedEnd = (start: number, b: number) => {
    let end = b;
    while (end > start && isSpace(end - 1)) end--;
    return end;
  };
  const bytesOf = (start: number, b: number) => byteAt[trimmedEnd(start, b)]! - byteAt[start]!;

  /** The furthest boundary whose page fits the budget, or -1. */
  function furthestFit(boundaries: number[], start: number, budget: number): number {
    let low = 0;
    let high = boundaries.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const b = boundaries[middle]!;
      if (b > start && bytesOf(start, b) <= budget) {
        found = b;
        low = middle + 1;
      } else if (b <= start) low = middle + 1;
      else high = middle - 1;
    }
    return found;
  }

  /** The page break after `start`: the coarsest boundary that fills the page enough, else the one filling most. */
  function pageEnd(start: number, budget: number): number {
    let best = -1;
    for (const boundaries of levels) {
      const b = furthestFit(boundaries, start, budget);
      if (b === -1) continue;
      best = Math.max(best, b);
      if (bytesOf(start, b) >= budget * MIN_FILL) return b;
    }
    if (best !== -1) return best;
    // One grapheme is larger than the page: cut it between code points.
    let end = start;
    for (const char of text.slice(start)) {
      if (byteAt[end + char.length]! - byteAt[start]! > budget) break;
      end += char.length;
    }
    if (end === start) throw new RangeError(`A page of ${budget} bytes cannot hold one character: raise maxBytes.`);
    return end;
  }

  return {
    /** Page contents for the given budgets (by page index); the last page may use all of maxBytes. */
    split(maxBytes: number, budgetFor: (index: number) => number): string[] {
      const pages: string[] = [];
      let start = 0;
      while (start < text.length) {
        while (isSpace(start)) start++;
        if (start >= text.length) break;
        if (bytesOf(start, text.length) <= maxBytes) {
          pages.push(text.slice(start, trimmedEnd(start, text.length)));
          break;
        }
        const end = pageEnd(start, budgetFor(pages.length));
        pages.push(text.slice(start, trimmedEnd(start, end)));
        start = end;
      }
      return pages;
    },
  };
}

/**
 * The boundaries inside the text (segment starts after the first). Segmenting a long string at once costs V8 more
 * than linear time, so the text is segmented in windows cut where a grapheme break is certain.
 */
function segmentStarts(text: string, granularity: 'grapheme' | 'sentence'): number[] {
  const segmenter = new Intl.Segmenter('zh', { granularity });
  const starts: number[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + WINDOW);
    while (end < text.length && !(isPlain(text.charCodeAt(end - 1)) && isPlain(text.charCodeAt(end)))) end++;
    for (const { index } of segmenter.segment(text.slice(start, end))) if (index > 0) starts.push(start + index);
    // A window's end is a grapheme boundary; it is not a sentence end, so sentences do not count it.
    if (granularity === 'grapheme' && end < text.length) starts.push(end);
    start = end;
  }
  return starts;
}

/** Between two of these UTF-16 units a grapheme break always lies: ASCII, LF, CJK ideographs and punctuation. */
function isPlain(unit: number): boolean {
  return (
    (unit >= 0x20 && unit <= 0x7e) ||
    unit === 0x0a ||
    (unit >= 0x4e00 && unit <= 0x9fff) ||
    (unit >= 0x3000 && unit <= 0x3029) ||
    (unit >= 0xff01 && unit <= 0xff5e)
  );
}

/** byteAt[i]: the UTF-8 length of text.slice(0, i), for every UTF-16 index i (a surrogate pair counts 2 + 2). */
function prefixBytes(text: string): number[] {
  const byteAt = new Array<number>(text.length + 1);
  byteAt[0] = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const paired =
      (unit >= 0xd800 && unit <= 0xdbff && isLow(text.charCodeAt(i + 1))) ||
      (isLow(unit) && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff);
    byteAt[i + 1] = byteAt[i]! + (unit < 0x80 ? 1 : unit < 0x800 ? 2 : paired ? 2 : 3);
  }
  return byteAt;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The longest grapheme-whole prefix of `text` within `budget` bytes. */
function fitBytes(text: string, budget: number): string {
  let end = 0;
  let used = 0;
  for (const { segment } of new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(text)) {
    used += utf8Bytes(segment);
    if (used > budget) break;
    end += segment.length;
  }
  return text.slice(0, end);
}
