/**
 * The guarded XML boundary: refuses DOCTYPE/ENTITY (XXE, entity bombs) before any parsing, parses in one strict pass
 * (saxes: well-formedness checked as the tree is built, no entity expansion, every value a string) into a small
 * element tree. CDATA writing lives here too, so escaping `]]>` has one home.
 */
import { type SaxesOptions, SaxesParser } from 'saxes';
import { ProtocolError } from './errors.js';

export interface XmlElement {
  name: string;
  /** Text and CDATA content in document order, with the five XML entities and character references decoded. */
  text: string;
  children: XmlElement[];
}

/** WeChat nests four levels at most; anything far deeper is not from WeChat (and would cost stack to flatten). */
const MAX_DEPTH = 64;

/**
 * True when the document declares a DOCTYPE or ENTITY outside CDATA. CDATA is skipped because users legitimately
 * send text like "<!DOCTYPE html>" in a chat message, which WeChat wraps in CDATA. Linear: no regex backtracking.
 */
export function hasForbiddenDeclaration(xml: string): boolean {
  let at = xml.indexOf('<!');
  while (at !== -1) {
    if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end === -1) return false; // unterminated CDATA: the validator refuses it as malformed
      at = xml.indexOf('<!', end + 3);
      continue;
    }
    const keyword = xml.slice(at + 2, at + 9).toUpperCase();
    if (keyword === 'DOCTYPE' || keyword.startsWith('ENTITY')) return true;
    at = xml.indexOf('<!', at + 2);
  }
  return false;
}

function malformed(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('XML_MALFORMED', message, {
    hint: 'WeChat sends <xml>…</xml> bodies; check what is posting to this URL.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * What a reference saxes cannot resolve stays as written (`&nbsp;` with no DTD, `&#0;`): the text is kept, not the
 * message refused. Any other well-formedness error refuses the document.
 */
const KEPT_AS_WRITTEN = ['undefined entity.', 'malformed character entity.'];

/** One parser, reused: parsing is synchronous, so a document never interleaves with another. */
class TreeBuilder {
  private parser = this.createParser();
  private roots: XmlElement[] = [];
  private stack: XmlElement[] = [];

  private createParser(): SaxesParser<SaxesOptions> {
    const parser = new SaxesParser<SaxesOptions>();
    parser.on('opentag', (tag) => {
      if (this.stack.length >= MAX_DEPTH) throw malformed(`The body nests elements deeper than ${MAX_DEPTH}.`);
      const element: XmlElement = { name: tag.name, text: '', children: [] };
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.children.push(element);
      else this.roots.push(element);
      this.stack.push(element);
    });
    parser.on('closetag', () => {
      this.stack.pop();
    });
    const onText = (text: string) => {
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.text += text;
    };
    parser.on('text', onText);
    parser.on('cdata', onText);
    parser.on('error', (error: Error) => {
      if (KEPT_AS_WRITTEN.some((kept) => error.message.endsWith(kept))) return;
      throw malformed(`The body is not well-formed XML: ${error.message}`);
    });
    return parser;
  }

  parse(xml: string): XmlElement[] {
    this.roots = [];
    this.stack = [];
    try {
      this.parser.write(xml).close();
      return this.roots;
    } catch (error) {
      // A parser stopped mid-document cannot be reused.
      this.parser = this.createParser();
      if (error instanceof ProtocolError) throw error;
      throw malformed('The body is not well-formed XML.', error);
    } finally {
      this.stack = [];
    }
  }
}

const builder = new TreeBuilder();

/** Parses a WeChat XML document into its <xml> root element. Throws ProtocolError only. */
export function parseXmlDocument(xml: string): XmlElement {
  if (hasForbiddenDeclaration(xml)) {
    throw new ProtocolError('XML_FORBIDDEN', 'XML with a DOCTYPE or ENTITY declaration is refused.', {
      hint: 'WeChat never sends DTDs; this request is not from WeChat.',
    });
  }
  const [root, ...others] = builder.parse(xml);
  if (!root || others.length > 0) throw malformed('The body must hold exactly one <xml> root element.');
  if (root.name !== 'xml') throw malformed(`The root element is <${root.name}>, not <xml>.`);
  return root;
}

/**
 * The leaves of an element as a flat record: nested leaves as `Parent.Child`, repeated siblings as `item[0]`,
 * `item[1]`… So unknown messages and events keep every field they carried.
 */
export function flattenElement(
  element: XmlElement,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  const counts = new Map<string, number>();
  for (const child of element.children) counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const child of element.children) {
    const index = seen.get(child.name) ?? 0;
    seen.set(child.name, index + 1);
    const key = `${prefix}${child.name}${(counts.get(child.name) ?? 0) > 1 ? `[${index}]` : ''}`;
    if (child.children.length > 0) flattenElement(child, `${key}.`, out);
    else Object.defineProperty(out, key, { value: child.text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A WeChat XML body's fields as strings (never numbers: MsgId must not lose precision). */
export function parseXmlFields(xml: string): Record<string, string> {
  return flattenElement(parseXmlDocument(xml));
}

const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text as any XML parser will read it back: characters XML 1.0 cannot carry (C0 controls, lone surrogates,
 * U+FFFE/FFFF) dropped, and CR/CRLF as LF, which parsers do even inside CDATA. Writing it this way means what we
 * send is exactly what WeChat reads.
 */
export function xmlSafeText(text: string): string {
  return text.replace(XML_ILLEGAL, '').replace(/\r\n?/g, '\n');
}

/** A CDATA section; `]]>` inside is split across two sections so it survives intact. */
export function cdata(text: string): string {
  return `<![CDATA[${xmlSafeText(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
