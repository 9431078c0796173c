/**
 * .env files: Node's own parser (util.parseEnv) reads the values; this module only finds the lines that are not
 * settings (to warn about them) and writes lines that parseEnv reads back unchanged.
 */
import { parseEnv } from 'node:util';

export interface DotenvParseResult {
  values: Record<string, string>;
  /** 1-based numbers of lines that are neither blank, a comment, nor KEY=value. */
  invalidLines: number[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const QUOTES = ['"', "'", '`'];

/** Later assignments win; quoted values may span lines. Lines that are not assignments are reported, not read. */
export function parseDotenv(text: string): DotenvParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const invalidLines: number[] = [];
  let openQuote: string | undefined;
  lines.forEach((line, index) => {
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const value = ASSIGNMENT.exec(line)?.[2];
    if (value === undefined) {
      invalidLines.push(index + 1);
      lines[index] = '';
      return;
    }
    const quote = value[0];
    if (quote && QUOTES.includes(quote) && !value.slice(1).includes(quote)) openQuote = quote;
  });
  return { values: parseEnv(lines.join('\n')) as Record<string, string>, invalidLines };
}

/** `KEY=value`, quoted only when needed, with a quote parseEnv reads back exactly (it has no escapes but `\n`). */
export function formatDotenvLine(key: string, value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return `${key}=${value}`;
  const quote = ["'", '`', '"'].find((q) => !value.includes(q));
  if (!quote) throw new TypeError(`${key}: a .env value cannot hold all three quote characters`);
  return `${key}=${quote}${value}${quote}`;
}

/** The index of the line assigning `key` (not a commented-out one), or -1. */
export function findAssignmentLine(lines: string[], key: string): number {
  return lines.findIndex((line) => ASSIGNMENT.exec(line)?.[1] === key);
}
