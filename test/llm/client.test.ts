/** The model client with the real openai SDK against the fake OpenAI server on loopback. */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError } from '../../src/errors.js';
import { createLlmClient, type LlmClientOptions } from '../../src/llm/client.js';
import type { LlmClient } from '../../src/llm/types.js';
import { type FakeOpenAI, type MultipartBody, startFakeOpenAI, TINY_PNG } from '../support/fake-openai.js';
import type { ChatBody } from '../support/llm-body.js';

const ask = (text: string) => ({ messages: [{ role: 'user' as const, content: text }] });

/** The rejection of a promise, which must reject. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function llmFailure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

let fake: FakeOpenAI;
let client: (options?: Partial<LlmClientOptions>) => LlmClient;
const lastBody = () => fake.requests.at(-1)!.body as ChatBody & Record<string, unknown>;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: 'sk-test' });
  client = (options = {}) =>
    createLlmClient({
      apiKey: 'sk-test',
      baseUrl: fake.url,
      model: 'test-model',
      maxRetries: 0,
      retryDelayMs: 10,
      ...options,
    });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('answers', () => {
  it('streams by default: deltas reach onDelta and join to the answer', async () => {
    fake.script({ reply: '你好，我是助手。有什么可以帮你？', chunks: 4 });
    const deltas: string[] = [];
    const result = await client().chat({ ...ask('你好'), onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe('你好，我是助手。有什么可以帮你？');
    expect(deltas.length).toBe(4);
    expect(deltas.join('')).toBe(result.text);
    expect(result).toMatchObject({ model: 'test-model', finishReason: 'stop' });
    expect(result.usage?.completionTokens).toBeGreaterThan(0);
    expect(result.latencyMs).toBeGreaterThan(0);

    const request = fake.requests.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(lastBody()).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: '你好' }],
    });
  });

  it('asks for one JSON answer when stream is false, and hands it to onDelta once', async () => {
    fake.script({ reply: '  一次性回答  ' });
    const deltas: string[] = [];
    const result = await client({ stream: false }).chat({ ...ask('q'), onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe('一次性回答');
    expect(deltas).toEqual(['一次性回答']);
    expect(lastBody().stream).toBe(false);
    expect(result.usage).toBeDefined();
  });

  it('uses the request model over the default, sends temperature and max_tokens, and names the answering model', async () => {
    fake.script({ reply: 'ok', model: 'vision-2024' });
    const result = await client({ temperature: 0.3, maxTokens: 256 }).chat({ ...ask('q'), model: 'vision' });
    expect(lastBody()).toMatchObject({ model: 'vision', temperature: 0.3, max_tokens: 256 });
    expect(result.model).toBe('vision-2024');
  });

  it('sends its requests through an injected fetch', async () => {
    const seen: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    expect((await client({ fetch: countingFetch }).chat(ask('q'))).text).toBe('ok');
    expect(seen).toEqual([`${fake.url}/chat/completions`]);
  });

  it('sends image_url parts in the OpenAI format', async () => {
    fake.script((req) => {
      const user = (req.body as ChatBody).messages.at(-1)!;
      const hasImage = Array.isArray(user.content) && user.content.some((p) => p.type === 'image_url');
      return { reply: hasImage ? 'saw an image' : 'no image' };
    });
    const result = await client().chat({
      messages: [
        { role: 'system', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'image_url', imageUrl: 'http://mmbiz.example/cat.jpg' },
            { type: 'text', text: '图里是什么?' },
          ],
        },
      ],
    });
    expect(result.text).toBe('saw an image');
    expect(lastBody().messages[1]!.content).toEqual([
      { type: 'image_url', image_url: { url: 'http://mmbiz.example/cat.jpg' } },
      { type: 'text', text: '图里是什么?' },
    ]);
  });
});

describe('reasoning removal', () => {
  it('removes a <think> block split across chunks, and never streams it', async () => {
    fake.script({ reply: 'unused', chunks: ['<thi', 'nk>内部推理', '</th', 'ink>\n\n答案', '是 42。'] });
    const deltas: string[] = [];
    const result = await client().chat({ ...ask('q'), onDelta: (d) => deltas.push(d) });
    expect(result.text).toBe('答案是 42。');
    expect(deltas.join('')).toBe('答案是 42。');
  });

  it('skips reasoning_content, streamed or not', async () => {
    fake.script([
      { reply: '结论', reasoning: '先想一想……' },
      { reply: '结论', reasoning: '先想一想……' },
    ]);
    expect((await client().chat(ask('q'))).text).toBe('结论');
    expect((await client({ stream: false }).chat(ask('q'))).text).toBe('结论');
  });

  it('removes <think> in a non-streamed answer', async () => {
    fake.script({ reply: '答案', think: 'hidden' });
    expect((await client({ stream: false }).chat(ask('q'))).text).toBe('答案');
  });

  it('an answer that is all reasoning is an empty-answer failure', async () => {
    fake.script({ reply: '<think>还没想完', chunks: 3 });
    const error = await llmFailure(client().chat(ask('q')));
    expect(error.kind).toBe('stream');
    expect(error.message).toMatch(/empty answer/);
  });

  it('an empty answer cut by the token limit says to raise llm.maxTokens, and is not retried', async () => {
    fake.script([{ reply: '<think>long', finishReason: 'length' }, { reply: 'never' }]);
    const error = await llmFailure(client({ maxRetries: 2 }).chat(ask('q')));
    expect(error).toMatchObject({ kind: 'stream', retryable: false });
    expect(error.hint).toMatch(/maxTokens/);
    expect(fake.requests).toHaveLength(1);
  });

  it('an answer withheld by a content filter is a bad request', async () => {
    fake.script({ reply: '', finishReason: 'content_filter' });
    expect((await llmFailure(client().chat(ask('q')))).kind).toBe('bad_request');
  });
});

describe('failures', () => {
  const cases = [
    [401, 'auth', /OPENAI_API_KEY/],
    [403, 'auth', /model/],
    [429, 'rate_limit', /rate-limiting/],
    [500, 'server', /status page/],
    [503, 'server', /status page/],
    [400, 'bad_request', /supports/],
    [404, 'bad_request', /OPENAI_BASE_URL/],
    [422, 'bad_request', /supports/],
    [408, 'timeout', /timeoutMs/],
  ] as const;
  for (const [status, kind, hint] of cases) {
    it(`maps HTTP ${status} to ${kind}`, async () => {
      fake.script({ status });
      const error = await llmFailure(client().chat(ask('q')));
      expect(error.kind).toBe(kind);
      expect(error.code).toBe(`LLM_${kind.toUpperCase()}`);
      expect(error.hint).toMatch(hint);
      expect(error.message).toContain(String(status));
    });
  }

  it('a wrong key is an auth failure (the fake checks the Authorization header)', async () => {
    const error = await llmFailure(client({ apiKey: 'sk-wrong' }).chat(ask('q')));
    expect(error).toMatchObject({ kind: 'auth', retryable: false });
    expect(error.message).toMatch(/Incorrect API key/);
  });

  it('keeps the Retry-After of a 429 in the error', async () => {
    fake.script([
      { status: 429, retryAfter: 7 },
      { status: 429, retryAfterMs: 1500 },
    ]);
    expect((await llmFailure(client().chat(ask('q')))).retryAfterMs).toBe(7000);
    expect((await llmFailure(client().chat(ask('q')))).retryAfterMs).toBe(1500);
  });

  it('an exhausted quota (429 insufficient_quota) is not retryable and says to add credit', async () => {
    fake.script({ status: 429, body: { error: { message: 'You exceeded your quota', code: 'insufficient_quota' } } });
    const error = await llmFailure(client({ maxRetries: 3 }).chat(ask('q')));
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: false });
    expect(error.hint).toMatch(/credit|billing/);
    expect(fake.requests).toHaveLength(1);
  });

  it('a refused connection is a connection failure naming the code', async () => {
    const port = await closedPort();
    const error = await llmFailure(client({ baseUrl: `http://127.0.0.1:${port}/v1` }).chat(ask('q')));
    expect(error.kind).toBe('connection');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.hint).toMatch(/OPENAI_BASE_URL/);
  });

  it('a socket reset mid-stream is a stream failure', async () => {
    fake.script({ resetMidStream: true, afterChunks: 2 });
    const error = await llmFailure(client().chat(ask('q')));
    expect(error.kind).toBe('stream');
    expect(error.retryable).toBe(true);
  });

  it('a reset of a non-streamed answer is a stream failure too', async () => {
    fake.script({ resetMidStream: true });
    expect((await llmFailure(client({ stream: false }).chat(ask('q')))).kind).toBe('stream');
  });

  it('unparseable SSE (or JSON) is a stream failure', async () => {
    fake.script([{ malformedSse: true }, { malformedSse: true }]);
    expect((await llmFailure(client().chat(ask('q')))).kind).toBe('stream');
    expect((await llmFailure(client({ stream: false }).chat(ask('q')))).kind).toBe('stream');
  });

  it('a server that never answers times out after timeoutMs', async () => {
    fake.script({ stall: true });
    const started = performance.now();
    const error = await llmFailure(client({ timeoutMs: 150 }).chat(ask('q')));
    expect(error.kind).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a stream that goes silent after the first chunk times out instead of passing as a short answer', async () => {
    fake.script({ stall: true, afterChunks: 1 });
    const deltas: string[] = [];
    const error = await llmFailure(client({ timeoutMs: 200 }).chat({ ...ask('q'), onDelta: (d) => deltas.push(d) }));
    expect(error.kind).toBe('timeout');
    expect(deltas.length).toBe(1);
  });
});

describe('retries', () => {
  it('retries a 500 and succeeds', async () => {
    fake.script([{ status: 500 }, { reply: '第二次成功' }]);
    const result = await client({ maxRetries: 1 }).chat(ask('q'));
    expect(result.text).toBe('第二次成功');
    expect(fake.requests).toHaveLength(2);
  });

  it('honours retry-after-ms on a 429', async () => {
    fake.script([{ status: 429, retryAfterMs: 150 }, { reply: 'ok' }]);
    const started = performance.now();
    expect((await client({ maxRetries: 1 }).chat(ask('q'))).text).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('caps a long Retry-After at maxRetryDelayMs', async () => {
    fake.script([{ status: 429, retryAfter: 60 }, { reply: 'ok' }]);
    const started = performance.now();
    expect((await client({ maxRetries: 1, maxRetryDelayMs: 50 }).chat(ask('q'))).text).toBe('ok');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fake.requests).toHaveLength(2);
  });

  it('never retries a 401', async () => {
    fake.script([{ status: 401 }, { reply: 'never' }]);
    expect((await llmFailure(client({ maxRetries: 3 }).chat(ask('q')))).kind).toBe('auth');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up after maxRetries retries with the last failure', async () => {
    fake.script([{ status: 500 }, { status: 503 }, { status: 502 }]);
    const error = await llmFailure(client({ maxRetries: 2 }).chat(ask('q')));
    expect(error.message).toContain('502');
    expect(fake.requests).toHaveLength(3);
  });

  it('retries a broken stream nobody saw, but not one whose start reached onDelta', async () => {
    fake.script([{ resetMidStream: true, afterChunks: 1 }, { reply: '完整回答' }]);
    expect((await client({ maxRetries: 1 }).chat(ask('q'))).text).toBe('完整回答');
    expect(fake.requests).toHaveLength(2);

    fake.script([{ resetMidStream: true, afterChunks: 1 }, { reply: '完整回答' }]);
    const deltas: string[] = [];
    const error = await llmFailure(client({ maxRetries: 1 }).chat({ ...ask('q'), onDelta: (d) => deltas.push(d) }));
    expect(error.kind).toBe('stream');
    expect(deltas).toHaveLength(1);
    expect(fake.requests).toHaveLength(3);
  });

  it('retries a timeout', async () => {
    fake.script([{ stall: true }, { reply: 'ok' }]);
    expect((await client({ maxRetries: 1, timeoutMs: 100 }).chat(ask('q'))).text).toBe('ok');
    expect(fake.requests).toHaveLength(2);
  });
});

describe('abort and configuration', () => {
  it("a caller's abort rejects with an AbortError, not an LlmError", async () => {
    fake.script({ stall: true });
    const controller = new AbortController();
    const pending = client({ maxRetries: 2 }).chat({ ...ask('q'), signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await failure(pending);
    expect(error).not.toBeInstanceOf(LlmError);
    expect((error as Error).name).toBe('AbortError');
    expect(fake.requests).toHaveLength(1);
  });

  it('an abort during the retry backoff stops at once', async () => {
    fake.script([{ status: 500 }, { reply: 'never' }]);
    const controller = new AbortController();
    const started = performance.now();
    const pending = client({ maxRetries: 1, retryDelayMs: 5000, maxRetryDelayMs: 5000 }).chat({
      ...ask('q'),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('user left')), 100);
    expect(((await failure(pending)) as Error).message).toBe('user left');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fake.requests).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const error = await failure(client().chat({ ...ask('q'), signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe('AbortError');
    expect(fake.requests).toHaveLength(0);
  });

  it('without an API key it is not configured and chat says to set OPENAI_API_KEY', async () => {
    const llm = createLlmClient({ model: 'gpt-4o-mini' });
    expect(llm.configured).toBe(false);
    expect(llm.baseUrl).toBe('https://api.openai.com/v1');
    const error = await llmFailure(llm.chat(ask('q')));
    expect(error).toMatchObject({ kind: 'not_configured', code: 'LLM_NOT_CONFIGURED', retryable: false });
    expect(error.hint).toMatch(/OPENAI_API_KEY/);
  });

  it('a local server (Ollama) needs no key: a placeholder is sent', async () => {
    const local = await startFakeOpenAI();
    try {
      const llm = createLlmClient({ baseUrl: `${local.url}/`, model: 'qwen2.5' });
      expect(llm.configured).toBe(true);
      expect(llm.baseUrl).toBe(local.url);
      expect((await llm.chat(ask('q'))).text).toBe('ok');
      expect(local.requests[0]!.headers.authorization).toMatch(/^Bearer \S+/);
    } finally {
      await local.close();
    }
  });

  it('loads the openai SDK lazily: no module of src/llm imports it as a value', () => {
    const dir = new URL('../../src/llm/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/^import (?!type )[^;]*from 'openai/m);
    }
  });
});

describe('transcription and images', () => {
  it('transcribes audio with a multipart upload', async () => {
    fake.script({ reply: ' 今天天气怎么样 ' }, 'transcriptions');
    const text = await client().transcribe({
      audio: Buffer.from('#!AMR\n fake'),
      filename: 'voice.amr',
      language: 'zh',
    });
    expect(text).toBe('今天天气怎么样');
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe('/v1/audio/transcriptions');
    const body = request.body as MultipartBody;
    expect(body.fields).toMatchObject({ model: 'whisper-1', language: 'zh' });
    expect(body.files[0]).toMatchObject({ field: 'file', filename: 'voice.amr', size: 11 });
  });

  it('maps transcription failures like chat ones', async () => {
    fake.script({ status: 401 }, 'transcriptions');
    const error = await llmFailure(client().transcribe({ audio: Buffer.from('x'), filename: 'a.mp3' }));
    expect(error.kind).toBe('auth');
  });

  it('generates an image as PNG bytes from b64_json', async () => {
    const image = await client().generateImage({ prompt: '一只猫', size: '1024x1024' });
    expect(image.equals(TINY_PNG)).toBe(true);
    expect(fake.requests.at(-1)!.body).toMatchObject({
      prompt: '一只猫',
      model: 'dall-e-3',
      size: '1024x1024',
      response_format: 'b64_json',
    });
    await client().generateImage({ prompt: 'cat', model: 'gpt-image-1' });
    expect(fake.requests.at(-1)!.body).not.toHaveProperty('response_format');
  });

  it('retries a failed image generation', async () => {
    fake.script([{ status: 503 }], 'images');
    const image = await client({ maxRetries: 1 }).generateImage({ prompt: 'cat' });
    expect(image.equals(TINY_PNG)).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
