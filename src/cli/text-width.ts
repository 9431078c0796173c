/**
 * Terminal columns (string-width: CJK and emoji take two, ANSI colour codes none), for aligning Chinese labels and
 * cutting previews.
 */
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** Pads with spaces to `width` columns (never cuts). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** One line, at most `width` columns, `…` when cut; colour codes are dropped. Cuts between graphemes (emoji stay whole). */
export function fitWidth(text: string, width: number): string {
  const flat = stripVTControlCharacters(text).replace(/\s+/g, ' ').trim();
  if (displayWidth(flat) <= width) return flat;
  let used = 0;
  let out = '';
  for (const { segment } of graphemes.segment(flat)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
