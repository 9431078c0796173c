/**
 * Indents WeChat's XML for reading: one element per line, leaves (text or CDATA) kept on their line, CDATA untouched.
 * (fast-xml-parser's builder re-flows CDATA onto new lines, which misreports what was sent.) Not a validator: input
 * that is not XML comes back as it was.
 */
const TOKEN = /<!\[CDATA\[[\s\S]*?\]\]>|<[^>]+>|[^<]+/g;

export function prettyXml(xml: string, indent = '  '): string {
  const tokens = xml.trim().match(TOKEN);
  if (!tokens?.[0]?.startsWith('<')) return xml;
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith('<') && token.trim() === '') continue;
    if (token.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(indent.repeat(depth) + token);
      continue;
    }
    const opening = token.startsWith('<') && !token.startsWith('<![CDATA[') && !token.startsWith('<?');
    if (opening && !token.endsWith('/>')) {
      // A leaf: <Tag>text or CDATA…</Tag> on one line.
      let j = i + 1;
      let content = '';
      while (j < tokens.length && !(tokens[j] as string).startsWith('</') && isContent(tokens[j] as string)) {
        content += tokens[j];
        j++;
      }
      if (j < tokens.length && (tokens[j] as string).startsWith('</') && (content !== '' || j === i + 1)) {
        lines.push(indent.repeat(depth) + token + content + tokens[j]);
        i = j;
        continue;
      }
      lines.push(indent.repeat(depth) + token);
      depth++;
      continue;
    }
    lines.push(indent.repeat(depth) + token.trim());
  }
  return lines.join('\n');
}

function isContent(token: string): boolean {
  return token.startsWith('<![CDATA[') || !token.startsWith('<');
}
