/**
 * A local OpenAI-compatible server for tests: chat completions (JSON or SSE), transcriptions, image generation and
 * embeddings (deterministic: a hashed bag of words, see fakeEmbedding),
 * with scripted behaviours per request (replies, HTTP errors, a reset or malformed stream, a stall) so the real
 * openai SDK can be driven through every path on loopback.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat answer. Streams as SSE chunks when the request asks for stream:true, else one chat.completion JSON. */
export interface ReplyBehaviour {
  reply: string;
  /** Wait this long before the response headers. */
  latencyMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /** How many content chunks to stream the reply in (default up to 10), or the exact pieces (then they are the reply). */
  chunks?: number | string[];
  /** Sent as `reasoning_content` (DeepSeek style) before the content. */
  reasoning?: string;
  /** Put in front of the content as `<think>…</think>` (Qwen / R1-distill style). */
  think?: string;
  finishReason?: string;
  /** Answer with this model name instead of the requested one. */
  model?: string;
}

/** An HTTP error with an OpenAI-style error body (or `body` as given). */
export interface StatusBehaviour {
  status: number;
  /** The Retry-After header, in seconds (or an HTTP date). */
  retryAfter?: number | string;
  /** OpenAI's retry-after-ms header. */
  retryAfterMs?: number;
  body?: unknown;
  latencyMs?: number;
}

/** Sends the headers and `afterChunks` chunks (default 1), then destroys the socket. */
export interface ResetBehaviour {
  resetMidStream: true;
  afterChunks?: number;
}

/** Sends a valid first chunk, then an event whose data is not JSON. */
export interface MalformedBehaviour {
  malformedSse: true;
}

/** Never answers (until close). With afterChunks, sends headers and that many chunks first, then goes silent. */
export interface StallBehaviour {
  stall: true;
  afterChunks?: number;
}

export type StaticBehaviour = ReplyBehaviour | StatusBehaviour | ResetBehaviour | MalformedBehaviour | StallBehaviour;
export type Behaviour = StaticBehaviour | ((request: RecordedRequest) => StaticBehaviour | Promise<StaticBehaviour>);

export type Endpoint = 'chat' | 'transcriptions' | 'images' | 'embeddings';

export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. /v1/chat/completions. */
  path: string;
  headers: IncomingHttpHeaders;
  /**
   * The JSON body; for multipart requests `{ fields, files }` (files as name, type and size). Undefined when the
   * body is neither.
   */
  body: unknown;
  endpoint: Endpoint | undefined;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; size: number }[];
}

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** The answer of requests with nothing scripted (default `{ reply: 'ok' }`). */
  defaultBehaviour?: Behaviour;
  /** What /v1/audio/transcriptions answers with nothing scripted (default 你好). */
  transcription?: string;
  /** The ids GET /v1/models lists (default ['test-model']). */
  models?: string[];
}

export interface FakeOpenAI {
  /** Base URL ending in /v1, as the openai SDK's baseURL wants it. */
  url: string;
  /** Every request received, in order (all endpoints). */
  requests: RecordedRequest[];
  /** Queues behaviours for the next requests of an endpoint (chat by default); the default answers after. */
  script(next: Behaviour | Behaviour[], endpoint?: Endpoint): void;
  setDefault(behaviour: Behaviour, endpoint?: Endpoint): void;
  /** Forgets queued behaviours, recorded requests and the counts, and restores the default behaviours. */
  reset(): void;
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** The most requests that were in flight at once. */
  readonly maxInFlight: number;
  /** Total requests received. */
  readonly calls: number;
  close(): Promise<void>;
}

/** A 1×1 transparent PNG: what /v1/images/generations returns. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const ENDPOINTS: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat',
  '/v1/audio/transcriptions': 'transcriptions',
  '/v1/images/generations': 'images',
  '/v1/embeddings': 'embeddings',
};

/** Dimensions of the fake embeddings. */
export const FAKE_EMBEDDING_DIMENSIONS = 256;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * A deterministic embedding: each word (Intl.Segmenter's words, lower-cased) adds one to a bucket chosen by its hash,
 * so texts sharing words point the same way and the same text always gets the same vector.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(FAKE_EMBEDDING_DIMENSIONS).fill(0);
  for (const { segment, isWordLike } of segmenter.segment(text.toLowerCase())) {
    if (!isWordLike) continue;
    let hash = 2166136261;
    for (const char of segment) hash = Math.imul(hash ^ (char.codePointAt(0) as number), 16777619);
    const bucket = (hash >>> 0) % FAKE_EMBEDDING_DIMENSIONS;
    vector[bucket] = (vector[bucket] as number) + 1;
  }
  return vector;
}

class ClosedError extends Error {}

export async function startFakeOpenAI({
  apiKey,
  defaultBehaviour = { reply: 'ok' },
  transcription = '你好',
  models = ['test-model'],
}: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const queues: Record<Endpoint, Behaviour[]> = { chat: [], transcriptions: [], images: [], embeddings: [] };
  const initialDefaults: Record<Endpoint, Behaviour> = {
    chat: defaultBehaviour,
    transcriptions: { reply: transcription },
    images: { reply: '' },
    embeddings: { reply: '' },
  };
  const defaults = { ...initialDefaults };
  const closing = new AbortController();
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  let ids = 0;

  /** Resolves after ms, or rejects once the server closes or the client goes away. */
  const sleep = (ms: number, gone: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (ms <= 0) return resolve();
      const signal = AbortSignal.any([closing.signal, gone]);
      if (signal.aborted) return reject(new ClosedError());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new ClosedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });

  const server = createServer((req, res) => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const gone = new AbortController();
    res.on('close', () => {
      inFlight--;
      gone.abort();
    });
    handle(req, res, gone.signal).catch((error: unknown) => {
      if (error instanceof ClosedError || res.destroyed) return;
      if (!res.headersSent)
        json(res, 500, { error: { message: `fake-openai: ${String(error)}`, type: 'server_error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, gone: AbortSignal): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const endpoint = ENDPOINTS[path];
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: await parseBody(raw, req.headers['content-type']),
      endpoint,
    };
    requests.push(recorded);

    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
      return json(res, 401, {
        error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
      });
    }
    if (req.method !== 'POST' || !endpoint) {
      return json(res, 404, {
        error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error' },
      });
    }

    const next = queues[endpoint].shift() ?? defaults[endpoint];
    const behaviour = typeof next === 'function' ? await next(recorded) : next;
    const body = (recorded.body ?? {}) as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };

    if ('status' in behaviour) {
      await sleep(behaviour.latencyMs ?? 0, gone);
      const headers: Record<string, string> = {};
      if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
      if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
      return json(res, behaviour.status, behaviour.body ?? errorBody(behaviour.status), headers);
    }
    // A stall keeps the socket open until the client gives up or close() ends it.
    if ('stall' in behaviour && (behaviour.afterChunks === undefined || !body.stream)) return;
    if (endpoint !== 'chat' && 'resetMidStream' in behaviour) return void res.destroy();

    if (endpoint === 'transcriptions') {
      const text = 'reply' in behaviour ? behaviour.reply : transcription;
      await sleep('reply' in behaviour ? (behaviour.latencyMs ?? 0) : 0, gone);
      return json(res, 200, { text });
    }
    if (endpoint === 'embeddings') {
      await sleep('reply' in behaviour ? (behaviour.latencyMs ?? 0) : 0, gone);
      const input = (recorded.body as { input?: string | string[] } | undefined)?.input ?? [];
      const texts = Array.isArray(input) ? input : [input];
      const tokens = texts.reduce((sum, text) => sum + Array.from(text).length, 0);
      return json(res, 200, {
        object: 'list',
        model: body.model ?? 'test-embedding',
        data: texts.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text) })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      });
    }
    if (endpoint === 'images') {
      await sleep('reply' in behaviour ? (behaviour.latencyMs ?? 0) : 0, gone);
      return json(res, 200, { created: now(), data: [{ b64_json: TINY_PNG.toString('base64') }] });
    }

    const model = ('reply' in behaviour ? behaviour.model : undefined) ?? body.model ?? 'test-model';
    const id = `chatcmpl-fake${++ids}`;
    const reply = 'reply' in behaviour ? behaviour : { reply: 'partial answer that never ends' };
    const answer = Array.isArray(reply.chunks) ? reply.chunks.join('') : reply.reply;
    const content = reply.think === undefined ? answer : `<think>${reply.think}</think>\n\n${answer}`;
    const pieces = Array.isArray(reply.chunks)
      ? [...(reply.think === undefined ? [] : [content.slice(0, content.length - answer.length)]), ...reply.chunks]
      : splitChunks(content, reply.chunks);
    await sleep(reply.latencyMs ?? 0, gone);

    if (!body.stream) {
      if ('resetMidStream' in behaviour) {
        res.writeHead(200, { 'content-type': 'application/json' });
        await new Promise<void>((resolve) => res.write('{"id":"', () => resolve()));
        return void res.destroy();
      }
      if ('malformedSse' in behaviour) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"id": not json');
      }
      const message: Record<string, string> = { role: 'assistant', content };
      if (reply.reasoning !== undefined) message.reasoning_content = reply.reasoning;
      return json(res, 200, {
        id,
        object: 'chat.completion',
        created: now(),
        model,
        choices: [{ index: 0, message, finish_reason: reply.finishReason ?? 'stop', logprobs: null }],
        usage: usage(recorded.body, content),
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (delta: Record<string, string>, finishReason: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created: now(),
          model,
          choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
        })}\n\n`,
      );
    send({ role: 'assistant', content: '' });

    if ('malformedSse' in behaviour) {
      res.write('data: {"id": this is not json\n\n');
      return void res.end('data: [DONE]\n\n');
    }
    const cutAfter = 'resetMidStream' in behaviour || 'stall' in behaviour ? (behaviour.afterChunks ?? 1) : Infinity;
    if (reply.reasoning !== undefined) {
      for (const piece of splitChunks(reply.reasoning, undefined)) send({ reasoning_content: piece });
    }
    for (const [index, piece] of pieces.entries()) {
      if (index >= cutAfter) break;
      if (index > 0) await sleep(reply.chunkDelayMs ?? 0, gone);
      send({ content: piece });
    }
    if ('resetMidStream' in behaviour) {
      // Let the written chunks reach the client first, so the reset really happens mid-stream.
      await new Promise<void>((resolve) => res.write('', () => resolve()));
      return void res.destroy();
    }
    if ('stall' in behaviour) return;
    send({}, reply.finishReason ?? 'stop');
    if (body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: now(), model, choices: [], usage: usage(recorded.body, content) })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(next, endpoint = 'chat') {
      queues[endpoint].push(...(Array.isArray(next) ? next : [next]));
    },
    setDefault(behaviour, endpoint = 'chat') {
      defaults[endpoint] = behaviour;
    },
    reset() {
      for (const endpoint of Object.keys(queues) as Endpoint[]) queues[endpoint].length = 0;
      Object.assign(defaults, initialDefaults);
      requests.length = 0;
      calls = 0;
      maxInFlight = inFlight;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get calls() {
      return calls;
    },
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(status: number) {
  const type =
    status === 401
      ? 'invalid_request_error'
      : status === 429
        ? 'rate_limit_exceeded'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
  return { error: { message: `fake-openai: scripted ${status}`, type, code: null, param: null } };
}

function usage(body: unknown, content: string) {
  const prompt = JSON.stringify((body as { messages?: unknown } | undefined)?.messages ?? '').length;
  const completion = Array.from(content).length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Splits by code points, so no chunk ends inside a surrogate pair (the SDK decodes each chunk's JSON anyway). */
function splitChunks(text: string, chunks: number | string[] | undefined): string[] {
  if (Array.isArray(chunks)) return chunks;
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(chunks ?? 10, chars.length));
  const size = Math.ceil(chars.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces.length > 0 ? pieces : [''];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function parseBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const parsed: MultipartBody = { fields: {}, files: [] };
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') parsed.fields[field] = value;
      else parsed.files.push({ field, filename: value.name, type: value.type, size: value.size });
    }
    return parsed;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
