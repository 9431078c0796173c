/**
 * Client faults on the compressed clock (WeChat's timeout 500 ms): a client that sends its body slowly still gets a
 * valid reply; a client that vanishes before the reply loses nothing (the answer is kept for WeChat's retry, or for
 * the continue word), and the server stays healthy.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTexts } from '../../src/config.js';
import { completeMessage, judgeReply, signRequest } from '../../src/simulator/index.js';
import { buildMessageXml, type InboundMessage } from '../../src/wechat/index.js';
import { ACCOUNT, AES_KEY, APP_ID, type Harness, newUser, startHarness, TOKEN } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';
import { NoAnswerError, rawRequest } from './raw-http.js';

type Mode = 'plain' | 'safe';

/** A message as WeChat would send it: its signed URL and body, and how to read the answer like WeChat. */
function signed(h: Harness, content: string, user: string, mode: Mode = 'plain') {
  const message: InboundMessage = completeMessage({ type: 'text', content, fromUser: user, toUser: ACCOUNT });
  const request = signRequest({
    token: TOKEN,
    mode,
    encodingAesKey: AES_KEY,
    appId: APP_ID,
    xml: buildMessageXml(message),
  });
  return {
    message,
    url: `${h.url}?${request.query}`,
    body: request.body,
    judge: (status: number, body: string) =>
      judgeReply({ status, body, message, mode, token: TOKEN, encodingAesKey: AES_KEY, appId: APP_ID }),
  };
}

/** Sends a request and drops the connection after `afterMs` (before the answer): a client that vanishes. */
async function vanish(url: string, body: string, afterMs: number, sendWholeBody = true): Promise<void> {
  const payload = Buffer.from(body);
  const request = rawRequest(url, {
    body: sendWholeBody ? payload : payload.subarray(0, payload.length >> 1),
    headers: { 'Content-Length': String(payload.length) },
    timeoutMs: afterMs,
  });
  await expect(request).rejects.toBeInstanceOf(NoAnswerError);
}

const eventually = async (check: () => Promise<boolean>, timeoutMs = 3000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('client faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: { keywords: [{ match: 'exact', pattern: 'ping', reply: { type: 'text', content: 'pong' } }] },
    });
  });
  beforeEach(() => {
    h.fake.setDefault((req) => {
      const question = lastUserText(req.body as ChatBody);
      return { reply: `answer:${question}`, latencyMs: Number(/slow:(\d+)/.exec(question)?.[1] ?? 30) };
    });
  });
  afterEach(() => h.fake.reset());
  afterAll(() => h.close());

  const callsFor = (question: string) =>
    h.fake.requests.filter((r) => r.endpoint === 'chat' && lastUserText(r.body as ChatBody) === question).length;

  for (const mode of ['plain', 'safe'] as const) {
    it(`a body sent slowly (10 pieces over ~300 ms) gets a valid reply (${mode})`, async () => {
      for (const content of ['ping', `slow body ${mode}`]) {
        const request = signed(h, content, newUser(), mode);
        const response = await rawRequest(request.url, { body: request.body, pieces: 10, pieceDelayMs: 30 });
        const verdict = request.judge(response.status, response.body);
        expect(verdict.problems).toEqual([]);
        expect(verdict.userSees).toBe(content === 'ping' ? 'pong' : `answer:${content}`);
      }
    });
  }

  it('a body slower than WeChat would ever be (~800 ms) still gets the answer, not an error', async () => {
    const request = signed(h, 'very slow body', newUser());
    const response = await rawRequest(request.url, { body: request.body, pieces: 8, pieceDelayMs: 100 });
    expect(request.judge(response.status, response.body)).toMatchObject({
      ok: true,
      userSees: 'answer:very slow body',
    });
  });

  it('a client that vanishes before the reply: the answer waits for WeChat’s retry, one model call', async () => {
    const user = newUser();
    const question = 'slow:300 vanishing';
    const request = signed(h, question, user);
    await vanish(request.url, request.body, 100);
    // WeChat retries the same message: the answer is there (it was finished and kept, not thrown away).
    const retry = await h.send(question, { user, msgId: (request.message as { msgId: string }).msgId });
    expect(retry.ok).toBe(true);
    expect(retry.userSees).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });

  it('a client that vanishes halfway through the body: nothing starts, and the retry is answered', async () => {
    const user = newUser();
    const question = 'half a body';
    const request = signed(h, question, user);
    await vanish(request.url, request.body, 100, false);
    expect(callsFor(question)).toBe(0);
    const retry = await h.send(question, { user, msgId: (request.message as { msgId: string }).msgId });
    expect(retry.userSees).toBe(`answer:${question}`);
    expect(callsFor(question)).toBe(1);
  });

  it('a client that vanishes on every attempt: the answer is not lost, the continue word delivers it', async () => {
    const user = newUser();
    const question = 'slow:600 gone every time';
    const request = signed(h, question, user);
    for (let attempt = 1; attempt <= 3; attempt++) await vanish(request.url, request.body, 100);
    await eventually(async () => callsFor(question) === 1 && h.fake.inFlight === 0);
    const next = await h.send('继续', { user });
    expect(next.ok).toBe(true);
    expect(next.userSees).toContain(`answer:${question}`);
    expect(next.userSees).not.toBe(defaultTexts.nothingPending);
    expect(callsFor(question)).toBe(1);
  });

  it('stays healthy after all of it', async () => {
    const health = await rawRequest(`${h.baseUrl}/healthz`, { method: 'GET' });
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    expect((await h.send('ping')).userSees).toBe('pong');
  });
});
