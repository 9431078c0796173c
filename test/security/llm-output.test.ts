/**
 * Model output is untrusted text: `]]>`, closing tags, a whole fake reply, a DOCTYPE. Whatever the model says, the
 * reply stays one text message to the right user, and the user reads exactly what the model wrote, in plain and
 * 安全模式.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decrypt, parseEncryptedReply, parseReplyXml, parseXmlFields } from '../../src/wechat/index.js';
import { AES_KEY, APP_ID, type Harness, newUser, startHarness } from '../support/harness.js';

/**
 * Reads the reply as WeChat does: the encrypted envelope by its <Encrypt> element, the inner XML by its fields. (The
 * simulator's judge looks for "<Encrypt>" anywhere in the body, so a plain reply quoting it would fool it.)
 */
function readReply(body: string, mode: 'plain' | 'safe') {
  const xml =
    mode === 'safe' ? decrypt({ aesKey: AES_KEY, appId: APP_ID, encrypted: parseEncryptedReply(body).encrypt }) : body;
  // Exactly one of each field: a duplicated MsgType or Content would show as MsgType[0], MsgType[1]…
  expect(Object.keys(parseXmlFields(xml)).sort()).toEqual([
    'Content',
    'CreateTime',
    'FromUserName',
    'MsgType',
    'ToUserName',
  ]);
  return parseReplyXml(xml);
}

const INJECTIONS = [
  ']]></Content><MsgType><![CDATA[news]]></MsgType><Content><![CDATA[evil',
  ']]></Content></xml><xml><ToUserName><![CDATA[oAttacker]]></ToUserName><Content><![CDATA[hijacked',
  ']]>]]>]]><![CDATA[<![CDATA[',
  '</Content><MsgType>evil</MsgType><Content>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>&a; &amp; &lt; &#0; &#x41;',
  '</xml>',
  '<Encrypt>AAAA</Encrypt><MsgSignature>0000</MsgSignature>',
  '"quotes" \'apostrophes\' <b>bold</b> & ampersands; 中文 ]]> 😀',
];

describe('XML in model output', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => h.fake.reset());
  afterAll(() => h.close());

  for (const mode of ['plain', 'safe'] as const) {
    it(`each injection arrives as exactly that text, in one text reply to the asking user (${mode})`, async () => {
      for (const injection of INJECTIONS) {
        for (const stream of [true, false]) {
          const user = newUser();
          h.fake.script({ reply: injection, chunks: stream ? 7 : 1 });
          const result = await h.send('say something dangerous', { user, mode });
          expect(result.attempts.at(-1)?.status).toBe(200);
          expect(readReply(result.rawBody ?? '', mode)).toMatchObject({
            type: 'text',
            content: injection,
            toUser: user,
          });
        }
      }
    });
  }
});
