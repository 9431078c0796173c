// The console's memory: bounded, one entry per message however many attempts, and the XML indented for reading.
import { describe, expect, it } from 'vitest';
import { createHistory, summarize } from '../../src/console/history.js';
import { createOpener } from '../../src/console/opener.js';
import { prettyXml } from '../../src/console/pretty-xml.js';
import type { ObservedAttempt } from '../../src/server/observer.js';
import { buildEncryptedReply, buildMessageXml, encrypt, replyTo } from '../../src/wechat/index.js';
import type { InboundMessage } from '../../src/wechat/types.js';

const text = (msgId: string, content = 'hi'): InboundMessage => ({
  type: 'text',
  content,
  msgId,
  fromUser: 'oUser',
  toUser: 'gh_account',
  createTime: 1_700_000_000,
});

function attempt(message: InboundMessage, n: number, written: boolean): ObservedAttempt {
  const xml = buildMessageXml(message);
  const replyXml = replyTo(message, { type: 'text', content: 'answer' }, { createTime: 1_700_000_001 });
  return {
    receivedAt: 1_700_000_000_000 + (n - 1) * 5000,
    latencyMs: written ? 120 : 5000,
    method: 'POST',
    query: 'timestamp=1&nonce=2',
    body: xml,
    encrypted: false,
    inboundXml: xml,
    message,
    outcome: {
      reply: written ? { type: 'text', content: 'answer' } : undefined,
      attempt: n,
      delivery: written ? (n === 1 ? 'passive' : 'retry') : 'dropped',
      key: `msg:${'msgId' in message ? message.msgId : ''}`,
      meta: { source: 'llm' },
    },
    ...(written ? { status: 200, replyXml, responseBody: replyXml } : {}),
  };
}

describe('console history', () => {
  it('keeps the newest messages up to its bound, newest first', () => {
    const history = createHistory({ size: 3 });
    for (const id of ['1', '2', '3', '4', '5']) history.attempt(attempt(text(id), 1, true));
    expect(history.size).toBe(3);
    expect(history.list().map((entry) => entry.msgId)).toEqual(['5', '4', '3']);
    expect(history.get('msg:1')).toBeUndefined();
  });

  it("adds an attempt to the entry received() handed out, or to the message's entry again once that one is gone", () => {
    const history = createHistory({ size: 2 });
    const message = text('7');
    const handle = history.open(message, 1_700_000_000_000);
    expect(history.attempt({ ...attempt(message, 1, true), handle })).toBe(handle.id);
    expect(history.get(handle.id)?.attempts).toHaveLength(1);
    // A slow answer: two newer messages push the entry out of the history before its attempt is reported.
    const slow = text('8');
    const gone = history.open(slow, 1_700_000_000_000);
    history.attempt(attempt(text('9'), 1, true));
    history.attempt(attempt(text('10'), 1, true));
    expect(history.get(gone.id)).toBeUndefined();
    const id = history.attempt({ ...attempt(slow, 1, true), handle: gone });
    expect(history.get(id)?.attempts).toHaveLength(1);
    expect(history.list().map((entry) => entry.msgId)).toEqual(['8', '10']);
  });

  it('groups the attempts of one MsgId into one row: answered on attempt 2 after WeChat waited 5 s', () => {
    const history = createHistory();
    const message = text('42');
    history.attempt(attempt(message, 1, false));
    const id = history.attempt(attempt(message, 2, true));
    expect(history.size).toBe(1);
    expect(summarize(history.get(id)!)).toMatchObject({
      attempts: 2,
      path: 'attempt 2',
      state: 'answered',
      latencyMs: 5120,
      replyType: 'text',
      replyPreview: 'answer',
    });
  });

  it('reads an older message back from what it kept: the message, the reply and the previews as they were', () => {
    const history = createHistory();
    const first = text('1', '你好，请问价格是多少？');
    history.attempt(attempt(first, 1, true));
    // Only the newest messages keep their parsed message: these push the first one out of them.
    for (let i = 2; i <= 40; i++) history.attempt(attempt(text(String(i)), 1, true));
    const entry = history.get('msg:1');
    expect(entry?.message).toEqual(first);
    expect(entry?.attempts[0]).toMatchObject({
      n: 1,
      receivedAt: 1_700_000_000_000,
      latencyMs: 120,
      status: 200,
      delivery: 'passive',
      source: 'llm',
      reply: { type: 'text', content: 'answer' },
    });
    expect(summarize(entry!)).toMatchObject({
      msgId: '1',
      type: 'text',
      preview: '你好，请问价格是多少？',
      at: 1_700_000_000_000,
    });
    expect(history.list('oUser')).toHaveLength(40);
    expect(history.list('oSomeoneElse')).toEqual([]);
  });

  it('in 安全模式 keeps the envelopes only and decrypts the XML documents again when read', () => {
    const account = { token: 'tok', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', appId: 'wx0123' };
    const sealed = (message: InboundMessage): ObservedAttempt => {
      const plain = attempt(message, 1, true);
      const aes = { aesKey: account.encodingAesKey, appId: account.appId };
      const envelope = `<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[${encrypt({ ...aes, message: plain.inboundXml ?? '' })}]]></Encrypt></xml>`;
      const reply = buildEncryptedReply({
        ...aes,
        token: account.token,
        xml: plain.replyXml ?? '',
        nonce: '1',
        timestamp: '1700000001',
      });
      return { ...plain, query: 'encrypt_type=aes', body: envelope, encrypted: true, responseBody: reply };
    };
    const keyed = createHistory({ opener: createOpener(() => account) });
    const first = text('1', '加密的问题');
    keyed.attempt(sealed(first));
    for (let i = 2; i <= 40; i++) keyed.attempt(sealed(text(String(i))));
    const read = keyed.get('msg:1');
    expect(read?.message).toEqual(first);
    expect(read?.attempts[0]?.inboundXml).toBe(buildMessageXml(first));
    expect(read?.attempts[0]?.replyXml).toContain('<Content><![CDATA[answer]]></Content>');
    expect(read?.attempts[0]).toMatchObject({ encrypted: true, reply: { type: 'text', content: 'answer' } });
    expect(read?.attempts[0]?.body).toContain('<Encrypt>');

    // Without the key (no account yet) nothing could be decrypted later: the XML documents are kept as they came.
    const keyless = createHistory({ opener: createOpener(() => undefined) });
    keyless.attempt(sealed(first));
    expect(keyless.get('msg:1')?.attempts[0]?.inboundXml).toBe(buildMessageXml(first));
  });

  it("links a pushed answer to its own message by key, even when the user's newer message also waits", () => {
    const history = createHistory();
    const waiting = (message: InboundMessage) => {
      const observed = attempt(message, 1, true);
      observed.outcome = { ...observed.outcome!, delivery: 'outbox', meta: { source: 'push-pending' } };
      history.attempt(observed);
    };
    waiting(text('1', 'first'));
    waiting(text('2', 'second'));
    const pushed = { time: 1_700_000_009_000, openid: 'oUser', messageType: 'push', preview: 'first' } as const;
    const record = { ...pushed, replyType: 'text', replyPreview: 'answer 1', attempt: 1, delivery: 'push' } as const;
    expect(history.pushed({ ...record, latencyMs: 9000, key: 'msg:1' })).toBe('msg:1');
    expect(history.get('msg:1')?.late).toMatchObject({ how: 'push', replyPreview: 'answer 1' });
    expect(history.get('msg:2')?.late).toBeUndefined();
  });
});

describe('prettyXml', () => {
  it('puts one element per line and leaves CDATA (with its ]]> escape) untouched', () => {
    const xml = '<xml><A><![CDATA[x ]]]]><![CDATA[> y]]></A><B>1</B><C><item><T><![CDATA[t]]></T></item></C></xml>';
    expect(prettyXml(xml)).toBe(
      [
        '<xml>',
        '  <A><![CDATA[x ]]]]><![CDATA[> y]]></A>',
        '  <B>1</B>',
        '  <C>',
        '    <item>',
        '      <T><![CDATA[t]]></T>',
        '    </item>',
        '  </C>',
        '</xml>',
      ].join('\n'),
    );
  });

  it('returns what is not XML as it was', () => {
    expect(prettyXml('success')).toBe('success');
  });
});
