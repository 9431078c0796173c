/**
 * The scripted model of in-process scenario runs: a local OpenAI-compatible server (chat completions, streamed or
 * not) that answers a step's `model: { say, delayMs, fail }`. It finds the step by what the user said (the probe) in
 * the request's last user message. Requests of steps without a script go to the configured model unchanged, or, with
 * no model configured, get the bot's "not configured" text, which is what the user would have seen.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelScript } from './schema.js';

export interface Upstream {
  /** The configured model's base URL (…/v1). */
  baseUrl: string;
  apiKey?: string;
}

export interface ScriptedModelOptions {
  /** Where unscripted requests go; without it they are answered with `unconfiguredText`. */
  upstream?: Upstream;
  unconfiguredText: string;
}

export interface ScriptedModel {
  /** Base URL ending in /v1, for the bot's llm.baseUrl. */
  url: string;
  /** Scripts the model call whose last user message contains `probe` (any call, without one); returns the undo. */
  script(entry: { probe?: string; script: ModelScript }): () => void;
  /** Model calls answered from a script / passed on. */
  readonly counts: { scripted: number; passedOn: number };
  close(): Promise<void>;
}

interface Entry {
  probe?: string;
  script: ModelScript;
  id: number;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role?: string; content?: unknown }>;
}

export async function startScriptedModel({ upstream, unconfiguredText }: ScriptedModelOptions): Promise<ScriptedModel> {
  const entries: Entry[] = [];
  const closing = new AbortController();
  const counts = { scripted: 0, passedOn: 0 };
  let ids = 0;

  const server = createServer((req, res) => {
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    handle(req, res, AbortSignal.any([gone.signal, closing.signal])).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'scripted model failed', type: 'server_error' } });
      else res.destroy();
    });
  });

  function find(body: ChatBody): Entry | undefined {
    const lastUser = [...(body.messages ?? [])].reverse().find((message) => message.role === 'user');
    const said = JSON.stringify(lastUser?.content ?? '');
    const matching = entries.filter((entry) => entry.probe !== undefined && said.includes(escapeJson(entry.probe)));
    return matching[0] ?? entries.find((entry) => entry.probe === undefined);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const raw = Buffer.concat(parts);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST' && path.endsWith('/chat/completions')) {
      const body = parseJson(raw);
      const entry = find(body);
      if (entry) {
        counts.scripted++;
        return answer(res, body, entry.script, signal);
      }
      if (!upstream) return answer(res, body, { say: unconfiguredText }, signal);
    }
    if (!upstream)
      return sendJson(res, 404, {
        error: { message: `No model configured for ${path}.`, type: 'invalid_request_error' },
      });
    counts.passedOn++;
    return passOn(req, res, raw, path, upstream, signal);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    counts,
    script({ probe, script }) {
      const entry: Entry = { script, id: ++ids, ...(probe === undefined ? {} : { probe }) };
      entries.push(entry);
      return () => {
        const index = entries.indexOf(entry);
        if (index !== -1) entries.splice(index, 1);
      };
    },
    async close() {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(res: ServerResponse, body: ChatBody, script: ModelScript, signal: AbortSignal): Promise<void> {
  if (script.delayMs) await sleep(script.delayMs, undefined, { signal });
  if (script.fail !== undefined) {
    return sendJson(res, script.fail, {
      error: {
        message: `scripted failure ${script.fail}`,
        type: script.fail >= 500 ? 'server_error' : 'invalid_request_error',
      },
    });
  }
  const content = script.say ?? '';
  const model = body.model ?? 'scripted';
  const created = Math.floor(Date.now() / 1000);
  const id = `chatcmpl-scripted-${created}`;
  if (!body.stream) {
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: Record<string, string>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content }, null));
  res.write(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

async function passOn(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  path: string,
  upstream: Upstream,
  signal: AbortSignal,
): Promise<void> {
  const target = `${upstream.baseUrl.replace(/\/+$/, '')}${path.replace(/^\/v1(?=\/)/, '')}`;
  const headers: Record<string, string> = {};
  const type = req.headers['content-type'];
  if (type) headers['content-type'] = type;
  if (upstream.apiKey) headers.authorization = `Bearer ${upstream.apiKey}`;
  const response = await fetch(target, {
    method: req.method ?? 'POST',
    headers,
    ...(raw.length > 0 ? { body: raw } : {}),
    signal,
  });
  res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
  if (!response.body) return void res.end();
  Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseJson(raw: Buffer): ChatBody {
  try {
    return JSON.parse(raw.toString('utf8')) as ChatBody;
  } catch {
    return {};
  }
}

/** The probe as it appears inside a JSON string. */
function escapeJson(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
