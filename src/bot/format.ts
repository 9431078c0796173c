/**
 * Markdown to plain text that reads well in a WeChat chat bubble, which shows no Markdown: the markers go, the
 * structure stays (【headings】, • bullets, 「quotes」, indented code, tables as `a | b` lines, links as `text (url)`).
 */

/** Marks a code line until the final trim is done, so a leading code block keeps its indentation. */
const CODE_LINE = '\uE002';
const CODE_INDENT = '  ';

const FENCE = /^(\s*)(`{3,}|~{3,})/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^(\s*)[-*+]\s+(?:\[([ xX])\]\s+)?(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

/**
 * A character or sequence some rule below reacts to. A text without any is only trimmed, line ends and blank lines
 * included (most short answers: the regular expressions of every rule are not run over them).
 */
const MARKUP = /[`\\[\]<>*_~#|=+\-\t\r\uE000-\uE002]|\d[.)]|:\/\//;

export function toWechatText(markdown: string): string {
  if (MARKUP.test(markdown)) return convertMarkdown(markdown);
  if (!markdown.includes('\n')) return markdown.trim();
  return markdown
    .replace(/ +$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Every rule, whatever the text: what toWechatText does with markup (exported for the test of its shortcut). */
export function convertMarkdown(markdown: string): string {
  const text = convertBlocks(
    markdown
      .replace(/\r\n?/g, '\n')
      .replace(/[\uE000-\uE002]/g, '')
      .split('\n'),
  );
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replaceAll(CODE_LINE, CODE_INDENT);
}

function convertBlocks(lines: string[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;

    const fence = FENCE.exec(line);
    if (fence) {
      const [, indent = '', marker = ''] = fence;
      const closing = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      for (i++; i < lines.length && !closing.test(lines[i]!); i++) {
        out.push(CODE_LINE + stripIndent(lines[i]!, indent.length));
      }
      continue;
    }

    if (line.includes('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('|')) {
      out.push(tableRow(line));
      for (i += 2; i < lines.length && lines[i]!.includes('|') && lines[i]!.trim(); i++) out.push(tableRow(lines[i]!));
      i--;
      continue;
    }

    if (QUOTE.test(line)) {
      const inner: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) inner.push(QUOTE.exec(lines[i]!)![1]!);
      i--;
      const quoted = convertBlocks(inner).trim();
      if (quoted) out.push(`「${quoted}」`);
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      out.push(headingLine(heading[1]!.length, heading[2]!));
      continue;
    }

    if (RULE.test(line)) {
      out.push('');
      continue;
    }

    const bullet = BULLET.exec(line);
    if (bullet) {
      const [, indent = '', check, item = ''] = bullet;
      const mark = check === undefined ? '•' : check === ' ' ? '☐' : '☑';
      out.push(`${listIndent(indent)}${mark} ${inline(item)}`);
      continue;
    }

    const numbered = NUMBERED.exec(line);
    if (numbered) {
      const [, indent = '', number, item = ''] = numbered;
      out.push(`${listIndent(indent)}${number}. ${inline(item)}`);
      continue;
    }

    // Setext headings: a paragraph line underlined with === (level 1) or --- (level 2).
    const underline = /^\s{0,3}(=+|-+)\s*$/.exec(lines[i + 1] ?? '');
    if (line.trim() && underline) {
      out.push(headingLine(underline[1]!.startsWith('=') ? 1 : 2, line.trim()));
      i++;
      continue;
    }

    out.push(inline(line));
  }
  return out.join('\n');
}

/** Levels 1–2 stand out as 【title】; smaller headings are plain lines. */
function headingLine(level: number, title: string): string {
  const text = inline(title).trim();
  return level <= 2 && text ? `【${text}】` : text;
}

function listIndent(indent: string): string {
  return indent.replace(/\t/g, '  ');
}

function stripIndent(line: string, width: number): string {
  let cut = 0;
  while (cut < width && (line[cut] === ' ' || line[cut] === '\t')) cut++;
  return line.slice(cut);
}

function tableRow(line: string): string {
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => inline(cell.trim().replace(/\\\|/g, '|')));
  return cells.join(' | ');
}

/**
 * Inline markup of one line. Code spans, escapes and URLs are set aside first (as private-use placeholders) so the
 * emphasis rules never touch them: `a_b_c` in code or a URL stays as it is.
 */
function inline(text: string): string {
  const kept: string[] = [];
  const keep = (value: string) => `\uE000${kept.push(value) - 1}\uE001`;
  let s = text;
  s = s.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_whole, _ticks, code: string) => keep(code.trim()));
  s = s.replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, (_whole, char: string) => keep(char));
  s = s.replace(/!\[[^\]]*\]\(\s*<?([^\s)>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g, (_whole, url: string) => keep(url));
  s = s.replace(/\[([^\]]+)\]\(\s*<?([^\s)>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g, (_whole, label: string, url: string) =>
    sameLink(label, url) ? keep(url) : `${label} (${keep(url)})`,
  );
  s = s.replace(/<((?:https?|mailto):[^\s>]+)>/g, (_whole, url: string) => keep(url));
  s = s.replace(/https?:\/\/[^\s<>()（）【】「」，。]+/g, (url) => keep(url));
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '$1');
  s = s.replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1$2');
  s = s.replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1');
  s = s.replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, '$1$2');
  s = s.replace(/(^|[^_\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?![_\w])/g, '$1$2');
  return s.replace(/\uE000(\d+)\uE001/g, (_whole, index: string) => kept[Number(index)] ?? '');
}

function sameLink(label: string, url: string): boolean {
  const bare = (value: string) =>
    value
      .trim()
      .replace(/^(?:https?:\/\/|mailto:)/, '')
      .replace(/\/$/, '');
  return bare(label) === bare(url);
}
