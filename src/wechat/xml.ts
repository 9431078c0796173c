/**
 * The guarded XML boundary: refuses DOCTYPE/ENTITY (XXE, entity bombs) before any parsing, parses with entity
 * processing off, keeps every value a string, and turns the result into a small element tree. CDATA writing lives
 * here too, so escaping `]]>` has one home.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ProtocolError } from './errors.js';

export interface XmlElement {
  name: string;
  /** Text and CDATA content in document order, with the five XML entities and character references decoded. */
  text: string;
  children: XmlElement[];
}

const parser = new XMLParser({
  preserveOrder: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

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

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references; nothing else (no DTD entities, no expansion). */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name] ?? whole;
    const code = hex ? Number.parseInt(hex, 16) : Number(dec);
    const legal = code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) && code > 0;
    return legal ? String.fromCodePoint(code) : whole;
  });
}

type OrderedNode = Record<string, unknown>;

function isNodeList(value: unknown): value is OrderedNode[] {
  return Array.isArray(value);
}

function toElement(name: string, nodes: OrderedNode[]): XmlElement {
  let text = '';
  const children: XmlElement[] = [];
  for (const node of nodes) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === '#text') text += decodeXmlText(String(value));
      else if (key === '#cdata') {
        if (isNodeList(value)) for (const part of value) text += String(part['#text'] ?? '');
      } else if (isNodeList(value)) children.push(toElement(key, value));
    }
  }
  return { name, text, children };
}

function malformed(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('XML_MALFORMED', message, {
    hint: 'WeChat sends <xml>…</xml> bodies; check what is posting to this URL.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Parses a WeChat XML document into its <xml> root element. Throws ProtocolError only. */
export function parseXmlDocument(xml: string): XmlElement {
  if (hasForbiddenDeclaration(xml)) {
    throw new ProtocolError('XML_FORBIDDEN', 'XML with a DOCTYPE or ENTITY declaration is refused.', {
      hint: 'WeChat never sends DTDs; this request is not from WeChat.',
    });
  }
  let nodes: unknown;
  try {
    const verdict = XMLValidator.validate(xml);
    if (verdict !== true) throw malformed(`The body is not well-formed XML: ${verdict.err.msg}`);
    nodes = parser.parse(xml);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw malformed('The body is not well-formed XML.', error);
  }
  const roots = isNodeList(nodes) ? nodes.flatMap((node) => Object.entries(node).filter(([key]) => key !== ':@')) : [];
  const elements = roots.filter(([key, value]) => key !== '#text' || String(value).trim() !== '');
  const [root] = elements;
  if (elements.length !== 1 || !root || !isNodeList(root[1])) {
    throw malformed('The body must hold exactly one <xml> root element.');
  }
  if (root[0] !== 'xml') throw malformed(`The root element is <${root[0]}>, not <xml>.`);
  return toElement('xml', root[1]);
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
