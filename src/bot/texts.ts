/** Filling the configurable user-facing texts. */

/** Replaces `{name}` placeholders; unknown names stay as they are. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A short quote of what the user said, for "你之前问的「…」". */
export function quote(text: string, maxChars = 20): string {
  // Fast path: UTF-16 length bounds the number of characters, so a short text needs no splitting.
  if (text.length <= maxChars) return text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= maxChars ? chars.join('') : `${chars.slice(0, maxChars).join('')}…`;
}
