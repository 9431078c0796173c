/** The console's HTTP surface under /_console: the page, its JSON API and the event stream, all behind the guard. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRawBody } from '../server/raw-body.js';
import type { Store } from '../store/types.js';
import { asset, isAsset } from './assets.js';
import type { createConsoleGuard } from './auth.js';
import { conversationOf } from './conversation.js';
import { detailOf, type JudgeKeys } from './detail.js';
import { ConsoleInputError, type createDriver, parseChatInput } from './drive.js';
import { type History, summarize } from './history.js';
import type { EventStream } from './sse.js';
import { clearUser, stateOf } from './state.js';

export const CONSOLE_PATH = '/_console';

export interface RouteContext {
  guard: ReturnType<typeof createConsoleGuard>;
  history: History;
  events: EventStream;
  driver: ReturnType<typeof createDriver>;
  store: () => Store;
  keys: () => JudgeKeys;
  /** What the page shows about this run (never a secret). */
  info: () => Record<string, unknown>;
  /** Tells open pages that a message changed. */
  changed: (id: string) => void;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' http: https: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

function reply(res: ServerResponse, status: number, body: string | Buffer, contentType: string, extra = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  reply(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new ConsoleInputError('Send JSON (Content-Type: application/json).');
  }
  const text = await readRawBody(req, 64 * 1024);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConsoleInputError('The body is not JSON.');
  }
}

export function createConsoleRoutes(context: RouteContext) {
  const { guard, history, events, driver } = context;

  async function api(req: IncomingMessage, res: ServerResponse, route: string, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'POST' && req.headers.origin === undefined) {
      return json(res, 403, { error: 'POST requests must come from the console page.' });
    }
    if (method === 'GET' && route === 'info') return json(res, 200, context.info());
    if (method === 'GET' && route === 'events') return events.open(req, res);
    if (method === 'GET' && route === 'messages') {
      const user = url.searchParams.get('user') ?? '';
      const text = (url.searchParams.get('q') ?? '').toLowerCase();
      // One user's messages are picked before any is read back (parsing their XML again).
      const rows = history
        .list(user || undefined)
        .map(summarize)
        .filter((row) => !text || `${row.preview} ${row.replyPreview}`.toLowerCase().includes(text));
      return json(res, 200, rows);
    }
    if (method === 'GET' && route.startsWith('messages/')) {
      const entry = history.get(decodeURIComponent(route.slice('messages/'.length)));
      return entry ? json(res, 200, detailOf(entry, context.keys())) : json(res, 404, { error: 'No such message.' });
    }
    if (method === 'GET' && route === 'conversation') {
      return json(res, 200, conversationOf(history, url.searchParams.get('openid') ?? ''));
    }
    if (method === 'GET' && route === 'state') {
      return json(res, 200, await stateOf(context.store(), history.users()));
    }
    if (method === 'POST' && route === 'chat') {
      const id = driver.chat(parseChatInput(await readJson(req)), context.changed);
      return json(res, 202, { id });
    }
    if (method === 'POST' && route === 'replay') {
      const body = (await readJson(req)) as { id?: unknown; sameMsgId?: unknown };
      if (typeof body.id !== 'string') throw new ConsoleInputError('"id" names the message to replay.');
      const id = driver.replay(body.id, { sameMsgId: body.sameMsgId === true }, context.changed);
      return json(res, 202, { id });
    }
    if (method === 'POST' && route === 'state/clear') {
      const body = (await readJson(req)) as { openid?: unknown };
      if (typeof body.openid !== 'string') throw new ConsoleInputError('"openid" names the user to clear.');
      await clearUser(context.store(), body.openid);
      events.send('state', () => ({ openid: body.openid }));
      return json(res, 200, { cleared: body.openid });
    }
    return json(res, 404, { error: `No ${method} ${CONSOLE_PATH}/api/${route}.` });
  }

  /** Answers a /_console request. False when the URL is not the console's (the caller serves it). */
  return function consoleRoutes(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.url ?? '/';
    if (
      !raw.startsWith(CONSOLE_PATH) ||
      (raw.length > CONSOLE_PATH.length && !'/?'.includes(raw[CONSOLE_PATH.length] ?? ''))
    ) {
      return false;
    }
    const url = new URL(raw, 'http://console.invalid');
    const verdict = guard.check(req, url);
    if (verdict.ok === false) {
      reply(res, verdict.status, `${verdict.reason}\n`, 'text/plain; charset=utf-8');
      return true;
    }
    if (verdict.ok === 'login') {
      reply(res, 303, '', 'text/plain; charset=utf-8', { Location: `${CONSOLE_PATH}/`, 'Set-Cookie': verdict.cookie });
      return true;
    }
    const rest = url.pathname.slice(CONSOLE_PATH.length + 1);
    if (url.pathname === CONSOLE_PATH) {
      reply(res, 308, '', 'text/plain; charset=utf-8', { Location: `${CONSOLE_PATH}/` });
    } else if (rest === '' || isAsset(rest)) {
      const file = asset(rest === '' ? 'index.html' : rest);
      reply(res, 200, file.body, file.contentType);
    } else if (rest.startsWith('api/')) {
      api(req, res, rest.slice(4), url).catch((error: unknown) => {
        if (res.headersSent) return;
        if (error instanceof ConsoleInputError) json(res, 400, { error: error.message, hint: error.hint });
        else json(res, 500, { error: (error as Error).message });
      });
    } else {
      reply(res, 404, 'Not found.\n', 'text/plain; charset=utf-8');
    }
    return true;
  };
}
