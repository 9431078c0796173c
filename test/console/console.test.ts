// The dev console's server side against a real bot on loopback: what it records of each message (attempts, XML,
// model calls), chat and replay through the simulator, and that it never shows a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEntry } from '../../src/console/conversation.js';
import type { MessageDetail } from '../../src/console/detail.js';
import type { UserState } from '../../src/console/state.js';
import type { MessageSummary } from '../../src/console/types.js';
import { deliver } from '../../src/simulator/index.js';
import { ACCOUNT, AES_KEY, APP_ID, newUser, TOKEN } from '../support/harness.js';
import { API_KEY, APP_SECRET, type ConsoleServer, startConsoleServer } from './console-server.js';

let server: ConsoleServer;
let compressed: ConsoleServer;
beforeAll(async () => {
  [server, compressed] = await Promise.all([startConsoleServer(), startConsoleServer({ compressed: true })]);
});
afterAll(async () => {
  await Promise.all([server?.close(), compressed?.close()]);
});

async function getJson<T>(path: string, on = server): Promise<T> {
  const response = await on.api(path);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

function send(
  text: string,
  user: string,
  { mode = 'safe', msgId, on = server }: { mode?: 'safe' | 'plain'; msgId?: string; on?: ConsoleServer } = {},
) {
  return deliver({
    url: on.webhookUrl,
    token: TOKEN,
    encodingAesKey: AES_KEY,
    appId: APP_ID,
    mode,
    message: { type: 'text', content: text, fromUser: user, toUser: ACCOUNT },
    ...(msgId ? { msgId } : {}),
    timeoutMs: on.gpt.config.timing.wechatTimeoutMs,
    attempts: 3,
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met');
}

describe('the console records each message', () => {
  it('one row per message with its attempt, both XML documents, the envelope and the model call', async () => {
    const user = newUser();
    server.fake.script({ reply: '你好，我是测试机器人。' });
    const result = await send('你好', user);
    expect(result.userSees).toBe('你好，我是测试机器人。');
    const msgId = result.message.type === 'text' ? result.message.msgId : '';

    const rows = await getJson<MessageSummary[]>(`messages?user=${user}`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: `msg:${msgId}`,
      msgId,
      openid: user,
      type: 'text',
      preview: '你好',
      state: 'answered',
      path: 'attempt 1',
      source: 'llm',
      attempts: 1,
      replyType: 'text',
    });

    const detail = await getJson<MessageDetail>(`messages/${encodeURIComponent(`msg:${msgId}`)}`);
    const [attempt] = detail.attempts;
    expect(attempt).toMatchObject({ n: 1, status: 200, delivery: 'passive', encrypted: true, problems: [] });
    expect(attempt?.inboundXml).toContain('<Content><![CDATA[你好]]></Content>');
    expect(attempt?.inboundXml).toContain(`<MsgId>${msgId}</MsgId>`);
    expect(attempt?.replyXml).toContain('<Content><![CDATA[你好，我是测试机器人。]]></Content>');
    expect(attempt?.body).toContain('<Encrypt>');
    expect(attempt?.responseBody).toContain('<MsgSignature>');
    expect(attempt?.query).toContain('encrypt_type=aes');
    expect(detail.modelCalls).toHaveLength(1);
    expect(detail.modelCalls[0]).toMatchObject({ kind: 'chat', model: 'test-model', answer: '你好，我是测试机器人。' });
    expect(detail.modelCalls[0]?.messages?.at(-1)).toEqual({ role: 'user', content: '你好' });
  });

  it('a slow answer: attempt 1 dropped at the timeout, the answer on attempt 2, as long as the user waited', async () => {
    const user = newUser();
    compressed.fake.script({ reply: '慢慢来', latencyMs: 700 });
    const result = await send('慢一点', user, { on: compressed });
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'reply']);
    const [row] = await until(
      () => getJson<MessageSummary[]>(`messages?user=${user}`, compressed),
      (rows) => rows[0]?.attempts === 2,
    );
    expect(row).toMatchObject({ path: 'attempt 2', state: 'answered', attempts: 2, replyPreview: '慢慢来' });
    expect(row?.latencyMs).toBeGreaterThanOrEqual(700);
    const detail = await getJson<MessageDetail>(`messages/${encodeURIComponent(row?.id ?? '')}`, compressed);
    expect(detail.attempts.map((attempt) => [attempt.n, attempt.delivery, attempt.status])).toEqual([
      [1, 'dropped', undefined],
      [2, 'retry', 200],
    ]);
  });

  it('a request refused at the door is a row too, with its status and why', async () => {
    const response = await fetch(`${server.webhookUrl}?signature=bad&timestamp=1&nonce=2&openid=oIntruder`, {
      method: 'POST',
      body: '<xml></xml>',
    });
    expect(response.status).toBe(401);
    const rows = await getJson<MessageSummary[]>('messages?user=oIntruder');
    expect(rows[0]).toMatchObject({ type: 'refused', state: 'refused', path: 'refused 401' });
    expect(rows[0]?.error).toContain('SIGNATURE_INVALID');
  });

  it('filters by text', async () => {
    const user = newUser();
    await send('苹果', user, { mode: 'plain' });
    await send('香蕉', user, { mode: 'plain' });
    const rows = await getJson<MessageSummary[]>(`messages?user=${user}&q=${encodeURIComponent('香蕉')}`);
    expect(rows.map((row) => row.preview)).toEqual(['香蕉']);
  });
});

describe('chat, replay and state through the console API', () => {
  it('chat sends through the simulator and the conversation shows what the user saw', async () => {
    const openid = newUser();
    server.fake.script({ reply: '收到' });
    const response = await server.api('chat', { body: { openid, kind: 'text', text: '在吗' } });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const [entry] = await until(
      () => getJson<ChatEntry[]>(`conversation?openid=${openid}`),
      (entries) => entries[0]?.verdict !== undefined,
    );
    expect(entry).toMatchObject({
      id,
      sent: { kind: 'text', text: '在吗' },
      reply: { type: 'text', content: '收到' },
      verdict: { ok: true, userSees: '收到', problems: [] },
      origin: { kind: 'chat' },
      pending: false,
    });
  });

  it('chat sends 关注 and a menu CLICK as events', async () => {
    const openid = newUser();
    await server.api('chat', { body: { openid, kind: 'subscribe' } });
    const entries = await until(
      () => getJson<ChatEntry[]>(`conversation?openid=${openid}`),
      (list) => list[0]?.verdict !== undefined,
    );
    expect(entries[0]?.sent).toEqual({ kind: 'event', text: '关注' });
    expect(entries[0]?.reply).toEqual({
      type: 'text',
      content: server.gpt.config.texts.welcome.replace('{scene}', ''),
    });
  });

  it('refuses malformed chat input with a 400 and a reason', async () => {
    const response = await server.api('chat', { body: { openid: 'x y', kind: 'text', text: 'hi' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('openid');
  });

  it('replays with a fresh MsgId (a new message) or the same one (a repeat of the stored answer)', async () => {
    const user = newUser();
    server.fake.script({ reply: '第一次' });
    const first = await send('重放我', user, { mode: 'plain' });
    const id = `msg:${first.message.type === 'text' ? first.message.msgId : ''}`;

    server.fake.script({ reply: '第二次' });
    const fresh = (await (await server.api('replay', { body: { id } })).json()) as { id: string };
    expect(fresh.id).not.toBe(id);
    const replayed = await until(
      () => getJson<MessageDetail>(`messages/${encodeURIComponent(fresh.id)}`).catch(() => undefined),
      (detail) => detail?.verdict !== undefined,
    );
    expect(replayed?.summary).toMatchObject({ replyPreview: '第二次', origin: { kind: 'replay', of: id } });

    const calls = server.fake.calls;
    await server.api('replay', { body: { id, sameMsgId: true } });
    const again = await until(
      () => getJson<MessageDetail>(`messages/${encodeURIComponent(id)}`),
      (detail) => detail.attempts.length === 2,
    );
    expect(again.attempts[1]).toMatchObject({ delivery: 'repeat', reply: { type: 'text', content: '第一次' } });
    expect(server.fake.calls).toBe(calls);
  });

  it('state lists users with their conversation; clear empties it', async () => {
    const user = newUser();
    server.fake.script({ reply: '记住了' });
    await send('记住我', user, { mode: 'plain' });
    const users = await getJson<UserState[]>('state');
    const mine = users.find((state) => state.openid === user);
    expect(mine?.turns.map((turn) => turn.text)).toEqual(['记住我', '记住了']);
    expect((await server.api('state/clear', { body: { openid: user } })).status).toBe(200);
    const after = await getJson<UserState[]>('state');
    expect(after.find((state) => state.openid === user)?.turns).toEqual([]);
  });

  it('never shows the AppSecret, the model key or the EncodingAESKey', async () => {
    const bodies = await Promise.all(
      [
        'info',
        'messages',
        'state',
        ...(await getJson<MessageSummary[]>('messages')).map((row) => `messages/${encodeURIComponent(row.id)}`),
      ].map(async (path) => (await server.api(path)).text()),
    );
    for (const body of bodies) {
      expect(body).not.toContain(API_KEY);
      expect(body).not.toContain(APP_SECRET);
      expect(body).not.toContain(AES_KEY);
    }
  });
});
