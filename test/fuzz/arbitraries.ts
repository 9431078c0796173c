/**
 * Generators for the fuzz suite: text of every kind, XML-ish documents (well-formed and not), and every modelled
 * inbound message. The seed is fixed (override with SEED=…, scale runs with FUZZ_RUNS=…) so a failure reproduces.
 */
import fc from 'fast-check';
import type { InboundMessage } from '../../src/wechat/types.js';
import { xmlSafeText } from '../../src/wechat/xml.js';

export function fuzzParams(numRuns: number): { seed: number; numRuns: number } {
  return {
    seed: Number(process.env.SEED ?? 7_020_617),
    numRuns: Math.max(1, Math.round(numRuns * Number(process.env.FUZZ_RUNS ?? 1))),
  };
}

/** Text of every shape: single code units (lone surrogates too), code points, graphemes, composite graphemes. */
export const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 60 }),
  fc.string({ maxLength: 200 }),
);

/** Markup characters and XML's sharp edges, densely. */
const MARKUP = [
  '<',
  '>',
  '&',
  ';',
  '/',
  '!',
  '?',
  '[',
  ']',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\u0000',
  '\uFFFE',
  '\uD800',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '<?xml version="1.0"?>',
  '<!DOCTYPE xml>',
  '<!ENTITY e "x">',
  '&lt;',
  '&#x10FFFF;',
  '&#0;',
  '&#xD800;',
  '&amp',
  '&e;',
  '<xml>',
  '</xml>',
  'xml',
  '__proto__',
  'constructor',
];
export const markupString = fc
  .array(fc.oneof(fc.constantFrom(...MARKUP), fc.string({ maxLength: 4 })), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

/** Element names WeChat uses, names that collide with Object.prototype, and now and then an invalid one. */
const elementName = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'xml',
      'ToUserName',
      'FromUserName',
      'CreateTime',
      'MsgType',
      'Content',
      'MsgId',
      'MsgID',
      'Event',
      'EventKey',
      'Encrypt',
      'item',
      'ScanCodeInfo',
      'SendPicsInfo',
      'PicList',
      '__proto__',
      'constructor',
      'toString',
    ),
  },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) },
);

const escapeText = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const textNode = fc.oneof(
  { weight: 4, arbitrary: anyString.map(escapeText) },
  { weight: 3, arbitrary: anyString.map((text) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('text', 'image', 'event', 'subscribe', 'CLICK', '1714112445', '-1', '1e400', ' 42 '),
  },
  { weight: 1, arbitrary: markupString },
);

const attribute = fc
  .tuple(elementName, anyString)
  .map(([name, value]) => ` ${name}="${escapeText(value).replaceAll('"', '&quot;')}"`);

/** An element with the given name: attributes, text, CDATA, comments and child elements. */
const elementNamed = (names: fc.Arbitrary<string>) =>
  fc.letrec<{ node: string; element: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      textNode,
      tie('element'),
      fc.constantFrom('<!-- c -->', '<?pi x?>', '<br/>', '&amp;', '&#65;'),
    ),
    element: fc
      .tuple(names, fc.array(attribute, { maxLength: 2 }), fc.array(tie('node'), { maxLength: 5 }), fc.boolean())
      .map(([name, attributes, children, selfClosing]) =>
        selfClosing && children.length === 0
          ? `<${name}${attributes.join('')}/>`
          : `<${name}${attributes.join('')}>${children.join('')}</${name}>`,
      ),
  })).element;

/** A document tree, mostly well-formed under an <xml> root, now and then with junk around or cut short. */
export const xmlishDocument: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: elementNamed(fc.constant('xml')) },
    { weight: 1, arbitrary: elementNamed(elementName) },
  )
  .chain((root) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(root) },
      { weight: 1, arbitrary: fc.constant(`<?xml version="1.0" encoding="UTF-8"?>\n${root}`) },
      {
        weight: 1,
        arbitrary: fc.tuple(markupString, markupString).map(([before, after]) => `${before}${root}${after}`),
      },
      { weight: 1, arbitrary: fc.nat({ max: root.length }).map((cut) => root.slice(0, cut)) },
    ),
  );

/** Text as XML carries it (what the builders keep). */
export const xmlText = anyString.map(xmlSafeText);
const nonEmptyText = xmlText.filter((text) => text !== '');
const msgId = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const seconds = fc.integer({ min: 0, max: 2 ** 32 });
/** Decimals as WeChat writes coordinates: written bare, read back exactly (no -0, NaN or Infinity). */
const decimal = fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (Object.is(value, -0) ? 0 : value));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Leaves absent optional keys out, so the object deep-equals its parse. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const head = { toUser: xmlText, fromUser: xmlText, createTime: seconds };

/** Every modelled message and the common events, as they parse: `parseMessage(buildMessageXml(m))` equals `m`. */
export const inboundMessage: fc.Arbitrary<InboundMessage> = fc
  .oneof(
    fc.record({ ...head, type: fc.constant('text' as const), content: xmlText, msgId }),
    fc.record({ ...head, type: fc.constant('image' as const), picUrl: xmlText, mediaId: xmlText, msgId }),
    fc.record({
      ...head,
      type: fc.constant('voice' as const),
      mediaId: xmlText,
      format: xmlText,
      recognition: optional(nonEmptyText),
      msgId,
    }),
    fc.record({
      ...head,
      type: fc.constantFrom('video' as const, 'shortvideo' as const),
      mediaId: xmlText,
      thumbMediaId: xmlText,
      msgId,
    }),
    fc.record({
      ...head,
      type: fc.constant('location' as const),
      latitude: decimal,
      longitude: decimal,
      scale: decimal,
      label: xmlText,
      msgId,
    }),
    fc.record({
      ...head,
      type: fc.constant('link' as const),
      title: xmlText,
      description: xmlText,
      url: xmlText,
      msgId,
    }),
    fc.record({
      ...head,
      type: fc.constant('event' as const),
      event: fc.constant('subscribe' as const),
      scene: optional(xmlText),
      ticket: optional(nonEmptyText),
    }),
    fc.record({ ...head, type: fc.constant('event' as const), event: fc.constant('unsubscribe' as const) }),
    fc.record({
      ...head,
      type: fc.constant('event' as const),
      event: fc.constant('SCAN' as const),
      scene: xmlText.filter((scene) => !scene.startsWith('qrscene_')),
      ticket: optional(nonEmptyText),
    }),
    fc.record({ ...head, type: fc.constant('event' as const), event: fc.constant('CLICK' as const), key: xmlText }),
    fc.record({
      ...head,
      type: fc.constant('event' as const),
      event: fc.constant('VIEW' as const),
      url: xmlText,
      menuId: optional(nonEmptyText),
    }),
    fc.record({
      ...head,
      type: fc.constant('event' as const),
      event: fc.constant('LOCATION' as const),
      latitude: decimal,
      longitude: decimal,
      precision: decimal,
    }),
  )
  .map((message) => defined(message) as InboundMessage);
