/**
 * Fuzzing the inbound XML boundary: whatever arrives, parseMessage (and the envelope and reply readers) return a
 * well-typed result or throw a ProtocolError; nothing else escapes, and every modelled message survives the trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMessageXml,
  extractEncrypted,
  type InboundMessage,
  ProtocolError,
  parseMessage,
  parseReplyXml,
  parseXmlFields,
} from '../../src/wechat/index.js';
import { anyString, fuzzParams, inboundMessage, markupString, xmlishDocument } from './arbitraries.js';

/** Runs a parser; a ProtocolError is a fine answer to hostile input, anything else thrown is a defect. */
function parsedOrRefused<T>(parse: () => T): T | ProtocolError {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
}

/** The shape every parsed message has, whatever its type. */
function expectWellTyped(message: InboundMessage): void {
  expect(typeof message.type).toBe('string');
  expect(typeof message.toUser).toBe('string');
  expect(typeof message.fromUser).toBe('string');
  expect(Number.isSafeInteger(message.createTime) || Number.isFinite(message.createTime)).toBe(true);
  if ('msgId' in message && message.msgId !== undefined) expect(typeof message.msgId).toBe('string');
  if ('raw' in message) {
    for (const value of Object.values(message.raw)) expect(typeof value).toBe('string');
    expect(Object.getPrototypeOf(message.raw)).toBe(Object.prototype);
  }
}

function checkAll(input: string): void {
  const message = parsedOrRefused(() => parseMessage(input));
  if (!(message instanceof ProtocolError)) expectWellTyped(message);
  else expect(message.status).toBe(400);
  parsedOrRefused(() => extractEncrypted(input));
  parsedOrRefused(() => parseReplyXml(input));
  const fields = parsedOrRefused(() => parseXmlFields(input));
  // Fields named after Object.prototype members are data, never a changed prototype.
  if (!(fields instanceof ProtocolError)) expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
}

describe('fuzz: the XML parser', () => {
  it('random strings: a message or a ProtocolError, never anything else', () => {
    fc.assert(fc.property(fc.oneof(anyString, markupString), checkAll), fuzzParams(400));
  });

  it('random XML-ish documents (nesting, attributes, CDATA, comments, junk around, cut short)', () => {
    fc.assert(fc.property(xmlishDocument, checkAll), fuzzParams(400));
  });

  it('documents with a WeChat header and random fields: typed results, unknown types kept raw', () => {
    const field = fc
      .tuple(
        fc.constantFrom('Content', 'MsgId', 'Event', 'EventKey', 'Location_X', 'Scale', 'Url', 'X'),
        xmlishDocument,
      )
      .map(([name, inner]) => `<${name}>${inner}</${name}>`);
    const document = fc
      .tuple(
        fc.constantFrom('text', 'image', 'voice', 'location', 'link', 'event', 'video', 'EVENT', 'miniprogrampage', ''),
        fc.array(field, { maxLength: 4 }),
        fc.array(fc.constantFrom('Content', 'MsgId', 'Event', 'Location_X', 'Location_Y', 'PicUrl', 'MediaId', 'Url')),
      )
      .map(
        ([type, fields, plain]) =>
          `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>` +
          `<CreateTime>1714112445</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${fields.join('')}` +
          `${plain.map((name) => `<${name}>1</${name}>`).join('')}</xml>`,
      );
    fc.assert(fc.property(document, checkAll), fuzzParams(300));
  });

  it('every modelled message built as WeChat sends it parses back to the same message', () => {
    fc.assert(
      fc.property(inboundMessage, (message) => {
        expect(parseMessage(buildMessageXml(message))).toEqual(message);
      }),
      fuzzParams(400),
    );
  });
});
