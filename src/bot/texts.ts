/** Filling the configurable user-facing texts. */

/** Replaces `{name}` placeholders; unknown names stay as they are. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A short quote of what the user said, for "你之前问的「…」". */
export function quote(text: string, maxChars = 20): string {
  // Fast path: UTF-16 length bounds the number of characters, so a short text needs no splitting; one without
  // whitespace (most questions) is its own quote, with no regular expression run over it.
  if (text.length <= maxChars) return hasWhitespace(text) ? text.replace(/\s+/g, ' ').trim() : text;
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

/** Whether `\s` matches anywhere in the text, by code unit: its ASCII spaces, then the few above U+00A0. */
function hasWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xa0 ? unit === 0x20 || (unit >= 0x09 && unit <= 0x0d) : isWideSpace(unit)) return true;
  }
  return false;
}

function isWideSpace(unit: number): boolean {
  return (
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000 ||
    unit === 0xfeff
  );
}
