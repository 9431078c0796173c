/** Property tests (fast-check, fixed seed, bounded runs): round trips hold and hostile input only ever fails typed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Article,
  buildMessageXml,
  buildReplyXml,
  DecryptError,
  decodeAesKey,
  decrypt,
  encrypt,
  extractEncrypted,
  type InboundMessage,
  ProtocolError,
  parseMessage,
  parseReplyXml,
  type Reply,
  xmlSafeText,
} from '../../src/wechat/index.js';

import { samples } from './samples.js';

const params = { seed: 20240426, numRuns: 200 } as const;
const aesKey = decodeAesKey('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');

/** Any Unicode text (astral included, no lone surrogates: those are not UTF-8). */
const anyText = fc.string({ unit: 'binary', maxLength: 300 });
/** Text that survives XML unchanged: what the builders keep after dropping illegal characters. */
const xmlText = anyText.map(xmlSafeText);
const nonBlank = xmlText.filter((text) => text.trim() !== '');
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const article: fc.Arbitrary<Article> = fc.record(
  { title: xmlText, description: xmlText, picUrl: xmlText, url: xmlText },
  { requiredKeys: ['title'] },
);

const reply: fc.Arbitrary<Exclude<Reply, { type: 'success' }>> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), content: nonBlank }),
  fc.record({ type: fc.constant('image' as const), mediaId: nonBlank }),
  fc.record({ type: fc.constant('voice' as const), mediaId: nonBlank }),
  fc.record(
    { type: fc.constant('video' as const), mediaId: nonBlank, title: xmlText, description: xmlText },
    { requiredKeys: ['type', 'mediaId'] },
  ),
  fc.record(
    {
      type: fc.constant('music' as const),
      title: xmlText,
      description: xmlText,
      musicUrl: xmlText,
      hqMusicUrl: xmlText,
      thumbMediaId: nonBlank,
    },
    { requiredKeys: ['type', 'thumbMediaId'] },
  ),
  fc.record({ type: fc.constant('news' as const), articles: fc.array(article, { minLength: 1, maxLength: 8 }) }),
  fc
    .record({ type: fc.constant('transfer_customer_service' as const), kfAccount: optional(xmlText) })
    .map((r) => (r.kfAccount === undefined ? { type: r.type } : r)),
);

/** Records a throw that is not one of ours; returns nothing so fast-check keeps going. */
function onlyTyped(run: () => unknown, allowed: (new (...args: never[]) => Error)[] = [ProtocolError]): void {
  try {
    run();
  } catch (error) {
    if (!allowed.some((type) => error instanceof type)) throw error;
  }
}

describe('round trips', () => {
  it('encrypt → decrypt returns any UTF-8 string for any AppID', () => {
    fc.assert(
      fc.property(anyText, fc.string({ unit: 'binary', maxLength: 40 }), (message, appId) => {
        expect(decrypt({ aesKey, appId, encrypted: encrypt({ aesKey, appId, message }) })).toBe(message);
      }),
      params,
    );
  });

  it('a built reply always parses back to what was built', () => {
    const envelope = fc.record({
      toUser: nonBlank,
      fromUser: nonBlank,
      createTime: fc.integer({ min: 0, max: 99_999_999_999 }),
    });
    fc.assert(
      fc.property(reply, envelope, (built, head) => {
        expect(parseReplyXml(buildReplyXml(built, head))).toEqual({ ...built, ...head });
      }),
      params,
    );
  });

  it('text with characters XML cannot carry parses back without them, and never breaks the XML', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-composite', maxLength: 100 }).map((s) => `x${s}\u0001]]>`),
        (content) => {
          const parsed = parseReplyXml(buildReplyXml({ type: 'text', content }, { toUser: 'o', fromUser: 'g' }));
          expect(parsed).toMatchObject({ content: xmlSafeText(content) });
        },
      ),
      params,
    );
  });

  it('a text message built as WeChat would send it parses back exactly', () => {
    const message = fc.record({
      type: fc.constant('text' as const),
      toUser: xmlText,
      fromUser: xmlText,
      createTime: fc.integer({ min: 0, max: 2 ** 31 }),
      content: xmlText,
      msgId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    });
    fc.assert(
      fc.property(message, (sent: InboundMessage) => {
        expect(parseMessage(buildMessageXml(sent))).toEqual(sent);
      }),
      params,
    );
  });
});

/** Edits that break XML in the ways that matter: cuts, junk, markup characters, declarations, duplication. */
const edit = fc.tuple(
  fc.constantFrom('delete', 'insert', 'duplicate', 'replace'),
  fc.nat(),
  fc.nat({ max: 40 }),
  fc.oneof(
    anyText,
    fc.constantFrom(
      '<',
      '>',
      '&',
      ']]>',
      '<![CDATA[',
      '</xml>',
      '<xml>',
      '<!DOCTYPE x>',
      '<!ENTITY',
      '&#0;',
      '&lt;',
      '<a>',
      '"',
    ),
  ),
);

function mutate(xml: string, edits: [string, number, number, string][]): string {
  let out = xml;
  for (const [kind, rawAt, length, text] of edits) {
    const at = rawAt % (out.length + 1);
    if (kind === 'delete') out = out.slice(0, at) + out.slice(at + length);
    else if (kind === 'insert') out = out.slice(0, at) + text + out.slice(at);
    else if (kind === 'duplicate')
      out = out.slice(0, at + length) + out.slice(at, at + length) + out.slice(at + length);
    else out = out.slice(0, at) + text + out.slice(at + text.length);
  }
  return out;
}

describe('hostile input fails typed, and fast', () => {
  const bounded = (run: () => void) => {
    const started = performance.now();
    run();
    expect(performance.now() - started).toBeLessThan(1000);
  };

  it('arbitrary strings: parseMessage, extractEncrypted and parseReplyXml throw ProtocolError or nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.string({ unit: fc.constantFrom('<', '>', 'x', '/', '!', '[', ']', '&', ';', '"', ' ') })),
        (input) => {
          bounded(() => {
            onlyTyped(() => parseMessage(input));
            onlyTyped(() => extractEncrypted(input));
            onlyTyped(() => parseReplyXml(input));
          });
        },
      ),
      params,
    );
  });

  it('mutated valid messages: parseMessage throws ProtocolError or parses', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples.map((s) => s.xml)),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        (xml, edits) => {
          bounded(() => onlyTyped(() => parseMessage(mutate(xml, edits))));
        },
      ),
      params,
    );
  });

  it('mutated ciphertext: decrypt throws DecryptError or returns (CBC has no MAC; msg_signature guards integrity)', () => {
    const sealed = encrypt({ aesKey, appId: 'wx1', message: samples[0]!.xml });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        bounded(() =>
          onlyTyped(() => decrypt({ aesKey, appId: 'wx1', encrypted: mutate(sealed, edits) }), [DecryptError]),
        );
      }),
      params,
    );
  });

  it('pathological sizes stay linear: 64 KB of unterminated CDATA openers or nested tags', () => {
    bounded(() => onlyTyped(() => parseMessage(`<xml>${'<![CDATA['.repeat(7000)}</xml>`)));
    bounded(() => onlyTyped(() => parseMessage(`<xml>${'<!'.repeat(30000)}</xml>`)));
    bounded(() => onlyTyped(() => parseMessage(`<xml>${'<a>'.repeat(20000)}</xml>`)));
    bounded(() => onlyTyped(() => parseMessage(`<xml><Content>${'&amp;'.repeat(12000)}</Content></xml>`)));
  });
});
