/** Filling the configurable user-facing texts. */

/** Replaces `{name}` placeholders; unknown names stay as they are. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A short quote of what the user said, for "你之前问的「…」". */
export function quote(text: string, maxChars = 20): string {
  // Fast path: UTF-16 length bounds the number of characters, so a short text needs no splitting.
  if (text.length <= maxChars) return text.replace(/\s+/g, ' ').trim();
  // Whitespace runs as one space, none at either end; characters (not code units) counted, and only as far as the
  // quote goes: a long answer is not split into an array of all its characters.
  let quoted = '';
  let count = 0;
  let space = false;
  for (const char of text) {
    if (WHITESPACE.test(char)) {
      space = count > 0;
      continue;
    }
    if (space) {
      if (count === maxChars) return `${quoted}…`;
      quoted += ' ';
      count++;
      space = false;
    }
    if (count === maxChars) return `${quoted}…`;
    quoted += char;
    count++;
  }
  return quoted;
}

const WHITESPACE = /\s/;
