/** A small .env reader and writer: KEY=value lines, quotes, comments and `export `, without a dependency. */

export interface DotenvParseResult {
  values: Record<string, string>;
  /** 1-based numbers of lines that are neither blank, a comment, nor KEY=value. */
  invalidLines: number[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/**
 * Later assignments win. Double quotes understand \n \r \t \" \\ and may span lines; single quotes and backticks are
 * literal and may span lines; an unquoted value ends at ` #` (a comment) and is trimmed.
 */
export function parseDotenv(text: string): DotenvParseResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const values: Record<string, string> = {};
  const invalidLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      invalidLines.push(i + 1);
      continue;
    }
    const key = match[1] as string;
    let rest = match[2] ?? '';
    const quote = rest[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      // Gather lines until the closing quote: values may span lines.
      const start = i;
      let body = rest.slice(1);
      let end = findClosingQuote(body, quote);
      while (end === -1 && i + 1 < lines.length) {
        i++;
        body += `\n${lines[i]}`;
        end = findClosingQuote(body, quote);
      }
      const after = end === -1 ? '' : body.slice(end + 1).trim();
      if (end === -1 || (after !== '' && !after.startsWith('#'))) {
        invalidLines.push(start + 1);
        continue;
      }
      body = body.slice(0, end);
      values[key] = quote === '"' ? body.replace(/\\([nrt"\\])/g, (_, c: string) => ESCAPES[c] ?? c) : body;
      continue;
    }
    const comment = rest.search(/\s#/);
    if (comment !== -1) rest = rest.slice(0, comment);
    values[key] = rest.trim();
  }
  return { values, invalidLines };
}

function findClosingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    if (quote === '"' && body[i] === '\\') {
      i++;
      continue;
    }
    if (body[i] === quote) return i;
  }
  return -1;
}

/** `KEY=value`, quoting the value only when it needs it. */
export function formatDotenvLine(key: string, value: string): string {
  if (/^[A-Za-z0-9_./:@%+,=-]*$/.test(value)) return `${key}=${value}`;
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `${key}="${escaped}"`;
}

/** The index of the line assigning `key` (not a commented-out one), or -1. */
export function findAssignmentLine(lines: string[], key: string): number {
  return lines.findIndex((line) => ASSIGNMENT.exec(line)?.[1] === key);
}
