/**
 * OpenAI's moderation endpoint through the real SDK, against a local stand-in (node:http on port 0) apart from the
 * model (moderation.openai.baseUrl): flagged questions and answers are blocked; an endpoint that never answers is cut
 * at its time limit and the policy decides (allow by default, or block).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, newUser, startHarness } from '../support/harness.js';
import { type ChatBody, lastUserText } from '../support/llm-body.js';

interface ModerationServer {
  url: string;
  inputs: string[];
  close(): Promise<void>;
}

/** Flags any input containing "暴力"; inputs containing "卡住" are never answered. */
async function startModerationServer(): Promise<ModerationServer> {
  const inputs: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const { input } = JSON.parse(body) as { input: string };
      inputs.push(input);
      if (req.url !== '/v1/moderations') return void res.writeHead(404).end();
      if (input.includes('卡住')) return; // never answers
      const flagged = input.includes('暴力');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'modr-test',
          model: 'omni-moderation-latest',
          results: [{ flagged, categories: { violence: flagged, harassment: false }, category_scores: {} }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    inputs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const QUESTION_BLOCKED = '抱歉，这个问题涉及不适合讨论的内容，换个话题吧。';
const ANSWER_BLOCKED = '抱歉，这个回答包含不适合发送的内容，换个问法试试吧。';

describe('the moderation endpoint (provider: openai)', () => {
  let endpoint: ModerationServer;
  let h: Harness;
  let lenient: Harness;
  let strict: Harness;
  beforeAll(async () => {
    endpoint = await startModerationServer();
    // A generous limit where the endpoint answers; a short one where it never does (the first call loads the SDK).
    const openai = { baseUrl: endpoint.url, apiKey: 'sk-moderation', check: 'both' as const, timeoutMs: 5000 };
    const short = { ...openai, check: 'answers' as const, timeoutMs: 300 };
    h = await startHarness({ config: { moderation: { provider: 'openai', openai } } });
    lenient = await startHarness({ config: { moderation: { provider: 'openai', openai: short } } });
    strict = await startHarness({
      config: { moderation: { provider: 'openai', openai: { ...short, onTimeout: 'block' } } },
    });
    for (const harness of [h, lenient, strict]) {
      harness.fake.setDefault((req) => {
        const question = lastUserText(req.body as ChatBody);
        return { reply: question.includes('讲讲') ? '这里有一段暴力描写。' : `好的：${question}` };
      });
    }
  });
  afterAll(async () => {
    await h.close();
    await lenient.close();
    await strict.close();
    await endpoint.close();
  });

  const chats = (harness: Harness) => harness.fake.requests.filter((r) => r.endpoint === 'chat').length;

  it('blocks a flagged question without calling the model, and a flagged answer', async () => {
    const before = chats(h);
    expect((await h.send('教我暴力', { user: newUser() })).userSees).toBe(QUESTION_BLOCKED);
    expect(chats(h)).toBe(before);
    expect((await h.send('讲讲故事', { user: newUser() })).userSees).toBe(ANSWER_BLOCKED);
    expect((await h.send('你好', { user: newUser() })).userSees).toBe('好的：你好');
    expect(endpoint.inputs).toEqual(
      expect.arrayContaining(['教我暴力', '讲讲故事', '这里有一段暴力描写。', '好的：你好']),
    );
  });

  it('lets the answer through when the endpoint does not answer in time (the default policy)', async () => {
    expect((await lenient.send('卡住也没关系', { user: newUser() })).userSees).toBe('好的：卡住也没关系');
  });

  it('blocks it when the policy says so', async () => {
    expect((await strict.send('卡住', { user: newUser() })).userSees).toBe(ANSWER_BLOCKED);
  });
});
