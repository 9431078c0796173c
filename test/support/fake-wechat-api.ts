/**
 * A local api.weixin.qq.com for tests: stable_token and the legacy token API, customer-service messages, typing,
 * temporary media and published articles (freepublish/batchget, paged), with real access_token checks (40001 / 42001) and injectable errcodes, HTTP answers and outages
 * per path, so the real client can be driven through every path on loopback.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the next calls of a path get instead of the normal answer: an errcode (HTTP 200 JSON, as WeChat does),
 * 'outage' (the socket is destroyed), 'stall' (no answer until close), or a raw HTTP answer.
 */
export type Injection =
  | number
  | 'outage'
  | 'stall'
  | { status: number; body?: unknown; contentType?: string }
  | { errcode: number; errmsg: string };

export interface RecordedCall {
  method: string;
  /** Without the query string, e.g. /cgi-bin/message/custom/send. */
  path: string;
  query: Record<string, string>;
  /** The JSON body; for multipart `{ fields, files }`; undefined otherwise. */
  body: unknown;
  /** Epoch ms (real clock) when the request arrived. */
  time: number;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; size: number }[];
}

export interface PushedItem {
  kind: 'message' | 'typing';
  /** The JSON body as sent (touser, msgtype and its payload; or touser and command). */
  body: Record<string, unknown>;
}

export interface StoredMedia {
  type: string;
  data: Buffer;
  contentType: string;
  filename: string;
  createdAt: number;
}

export interface FakeWechatApiOptions {
  appId: string;
  appSecret: string;
  /** expires_in of issued tokens (default 7200). */
  tokenTtlSec?: number;
  /** The clock tokens expire on (default Date.now). */
  now?: () => number;
  /** Content-Type of media/get error bodies (WeChat sends text/plain; some edges send application/json). */
  mediaErrorContentType?: string;
  /** The IP named in 40164 answers. */
  clientIp?: string;
  /** What freepublish/batchget pages through: one entry per publication, each with its articles. */
  published?: PublishedItem[];
}

export interface PublishedItem {
  article_id: string;
  update_time?: number;
  content: {
    news_item: {
      title: string;
      content: string;
      url: string;
      author?: string;
      digest?: string;
      is_deleted?: boolean;
    }[];
  };
}

export interface FakeWechatApi {
  /** The apiBase to give the client: http://127.0.0.1:<port>. */
  url: string;
  /** Every request, in order. */
  calls: RecordedCall[];
  /** The calls of one path. */
  callsTo(path: string): RecordedCall[];
  /** The next `times` (default 1) calls of `path` get `what` instead of the normal answer. */
  inject(path: string, what: Injection, times?: number): void;
  /** Every token issued so far now answers 42001 (access_token expired). */
  expireTokens(): void;
  /** How many access_tokens were issued (forced refreshes and legacy tokens included). */
  readonly tokenIssued: number;
  /** What was pushed to a user (messages and typing commands), in order. */
  pushed(openid: string): PushedItem[];
  /** Adds media as if uploaded; returns its media_id. */
  addMedia(media: { type: string; data: Buffer; contentType: string; filename?: string }, mediaId?: string): string;
  media: Map<string, StoredMedia>;
  close(): Promise<void>;
}

const ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  40016: 'invalid button size',
  44003: 'empty news data',
  44004: 'empty content',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
  48001: 'api unauthorized',
};

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'audio/amr': 'amr',
  'video/mp4': 'mp4',
};

export async function startFakeWechatApi({
  appId,
  appSecret,
  tokenTtlSec = 7200,
  now = Date.now,
  mediaErrorContentType = 'text/plain',
  clientIp = '203.0.113.7',
  published = [],
}: FakeWechatApiOptions): Promise<FakeWechatApi> {
  const calls: RecordedCall[] = [];
  const injections = new Map<string, Injection[]>();
  const tokens = new Map<string, { expiresAt: number; expired: boolean }>();
  const pushed = new Map<string, PushedItem[]>();
  const media = new Map<string, StoredMedia>();
  let stable: string | undefined;
  let tokenIssued = 0;
  let url = '';
  /** The menu menu/create accepted last (undefined after menu/delete). */
  let menu: Record<string, unknown> | undefined;

  const rid = () => ` rid: ${randomBytes(6).toString('hex')}`;
  const errmsgFor = (errcode: number) =>
    errcode === 40164
      ? `invalid ip ${clientIp} ipv6 ::ffff:${clientIp}, not in whitelist${rid()}`
      : `${ERRMSG[errcode] ?? 'error'}${rid()}`;
  const fail = (res: ServerResponse, errcode: number, contentType = 'application/json; encoding=utf-8') =>
    send(res, 200, { errcode, errmsg: errmsgFor(errcode) }, contentType);

  function issue(): string {
    const token = `${randomBytes(24).toString('base64url')}_${++tokenIssued}`;
    tokens.set(token, { expiresAt: now() + tokenTtlSec * 1000, expired: false });
    return token;
  }

  /** 0 when the token works, else the errcode WeChat answers with. */
  function checkToken(token: string | undefined): number {
    if (!token) return 41001;
    const record = tokens.get(token);
    if (!record) return 40001;
    return record.expired || now() >= record.expiresAt ? 42001 : 0;
  }

  function record(openid: string, item: PushedItem): void {
    const list = pushed.get(openid) ?? [];
    list.push(item);
    pushed.set(openid, list);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `fake-wechat-api: ${String(error)}`, 'text/plain');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const parsedUrl = new URL(req.url ?? '/', 'http://fake');
    const path = parsedUrl.pathname;
    const query = Object.fromEntries(parsedUrl.searchParams);
    const body = await parseBody(raw, req.headers['content-type']);
    calls.push({ method: req.method ?? 'GET', path, query, body, time: Date.now() });

    const queue = injections.get(path);
    const injected = queue?.shift();
    if (queue?.length === 0) injections.delete(path);
    if (injected !== undefined) {
      if (injected === 'outage') return void req.socket.destroy();
      if (injected === 'stall') return;
      if (typeof injected === 'number') return fail(res, injected);
      if ('errcode' in injected) return send(res, 200, { errcode: injected.errcode, errmsg: injected.errmsg });
      return send(res, injected.status, injected.body ?? '', injected.contentType);
    }

    const json = (body ?? {}) as Record<string, unknown>;
    if (path === '/cgi-bin/stable_token' && req.method === 'POST') {
      if (json.grant_type !== 'client_credential') return fail(res, 40002);
      if (json.appid !== appId) return fail(res, 40013);
      if (json.secret !== appSecret) return fail(res, 40125);
      const current = stable ? tokens.get(stable) : undefined;
      if (json.force_refresh === true || !stable || !current || checkToken(stable) !== 0) {
        // A forced refresh invalidates the previous stable token, as WeChat does.
        if (stable) tokens.delete(stable);
        stable = issue();
      }
      const remaining = Math.ceil((tokens.get(stable)!.expiresAt - now()) / 1000);
      return send(res, 200, { access_token: stable, expires_in: remaining });
    }
    if (path === '/cgi-bin/token' && req.method === 'GET') {
      if (query.grant_type !== 'client_credential') return fail(res, 40002);
      if (query.appid !== appId) return fail(res, 40013);
      if (query.secret !== appSecret) return fail(res, 40125);
      return send(res, 200, { access_token: issue(), expires_in: tokenTtlSec });
    }
    if (path.startsWith('/fake-video/')) {
      const item = media.get(decodeURIComponent(path.slice('/fake-video/'.length)));
      if (!item) return send(res, 404, 'not found', 'text/plain');
      return sendMedia(res, item);
    }

    const handler = routes[`${req.method} ${path}`];
    if (!handler) return send(res, 404, `fake-wechat-api: no route ${req.method} ${path}`, 'text/plain');
    const tokenError = checkToken(query.access_token);
    if (tokenError !== 0)
      return fail(res, tokenError, path === '/cgi-bin/media/get' ? mediaErrorContentType : undefined);
    return handler(res, json, query, body);
  }

  type Route = (
    res: ServerResponse,
    json: Record<string, unknown>,
    query: Record<string, string>,
    body: unknown,
  ) => void;
  const routes: Record<string, Route> = {
    'POST /cgi-bin/message/custom/send'(res, json) {
      const touser = json.touser;
      if (typeof touser !== 'string' || !touser) return fail(res, 40003);
      const msgtype = String(json.msgtype);
      const payload = (json[msgtype] ?? {}) as Record<string, unknown>;
      if (msgtype === 'text') {
        if (typeof payload.content !== 'string' || !payload.content) return fail(res, 44004);
      } else if (msgtype === 'image' || msgtype === 'voice' || msgtype === 'video') {
        if (typeof payload.media_id !== 'string' || !media.has(payload.media_id)) return fail(res, 40007);
      } else if (msgtype === 'news') {
        const articles = payload.articles;
        if (!Array.isArray(articles) || articles.length === 0) return fail(res, 44003);
        if (articles.length > 1) return fail(res, 45008);
      } else if (msgtype !== 'music') {
        return fail(res, 40008);
      }
      record(touser, { kind: 'message', body: json });
      send(res, 200, { errcode: 0, errmsg: 'ok' });
    },
    'POST /cgi-bin/message/custom/typing'(res, json) {
      if (typeof json.touser !== 'string' || !json.touser) return fail(res, 40003);
      if (json.command !== 'Typing' && json.command !== 'CancelTyping') return fail(res, 40008);
      record(json.touser, { kind: 'typing', body: json });
      send(res, 200, { errcode: 0, errmsg: 'ok' });
    },
    'POST /cgi-bin/menu/create'(res, json) {
      if (!Array.isArray(json.button) || json.button.length === 0 || json.button.length > 3) return fail(res, 40016);
      menu = json;
      send(res, 200, { errcode: 0, errmsg: 'ok' });
    },
    'GET /cgi-bin/menu/delete'(res) {
      menu = undefined;
      send(res, 200, { errcode: 0, errmsg: 'ok' });
    },
    'GET /cgi-bin/get_current_selfmenu_info'(res) {
      // WeChat's shape: sub-buttons under sub_button.list.
      const button = ((menu?.button ?? []) as Record<string, unknown>[]).map(({ sub_button, ...rest }) =>
        Array.isArray(sub_button) ? { ...rest, sub_button: { list: sub_button } } : rest,
      );
      send(res, 200, menu ? { is_menu_open: 1, selfmenu_info: { button } } : { is_menu_open: 0 });
    },
    'POST /cgi-bin/freepublish/batchget'(res, json) {
      const offset = Number(json.offset ?? 0);
      const count = Number(json.count ?? 0);
      if (!Number.isInteger(count) || count < 1 || count > 20) return fail(res, 40097);
      const items = published.slice(offset, offset + count);
      send(res, 200, { total_count: published.length, item_count: items.length, item: items });
    },
    'GET /cgi-bin/get_api_domain_ip'(res) {
      send(res, 200, { ip_list: ['127.0.0.1'] });
    },
    'GET /cgi-bin/media/get'(res, _json, query) {
      const item = query.media_id ? media.get(query.media_id) : undefined;
      if (!item) return fail(res, 40007, mediaErrorContentType);
      // Video is not served here: WeChat answers with a link to it.
      if (item.type === 'video')
        return send(res, 200, { video_url: `${url}/fake-video/${encodeURIComponent(query.media_id!)}` });
      sendMedia(res, item);
    },
    'POST /cgi-bin/media/upload'(res, _json, query, body) {
      const type = query.type ?? '';
      if (!['image', 'voice', 'video', 'thumb'].includes(type)) return fail(res, 40004);
      const file = (body as { files?: (MultipartBody['files'][number] & { data: Buffer })[] } | undefined)?.files?.find(
        (candidate) => candidate.field === 'media',
      );
      if (!file) return fail(res, 41005);
      const mediaId = addMedia({ type, data: file.data, contentType: file.type, filename: file.filename });
      send(res, 200, { type, media_id: mediaId, created_at: media.get(mediaId)!.createdAt });
    },
  };

  function addMedia(item: { type: string; data: Buffer; contentType: string; filename?: string }, mediaId?: string) {
    const id = mediaId ?? randomBytes(32).toString('base64url');
    const filename = item.filename ?? `${id}.${EXTENSIONS[item.contentType] ?? 'bin'}`;
    media.set(id, { ...item, filename, createdAt: Math.floor(now() / 1000) });
    return id;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    inject(path, what, times = 1) {
      const queue = injections.get(path) ?? [];
      for (let i = 0; i < times; i++) queue.push(what);
      injections.set(path, queue);
    },
    expireTokens() {
      for (const record of tokens.values()) record.expired = true;
    },
    get tokenIssued() {
      return tokenIssued;
    },
    pushed: (openid) => [...(pushed.get(openid) ?? [])],
    addMedia,
    media,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function sendMedia(res: ServerResponse, item: StoredMedia): void {
  res.writeHead(200, {
    'content-type': item.contentType,
    'content-length': String(item.data.length),
    'content-disposition': `attachment; filename="${item.filename}"`,
  });
  res.end(item.data);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json; encoding=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** JSON, or multipart as `{ fields, files }` (files keep their bytes under `data`, not enumerable for printing). */
async function parseBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const parsed: MultipartBody = { fields: {}, files: [] };
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        parsed.fields[field] = value;
        continue;
      }
      const file = { field, filename: value.name, type: value.type, size: value.size };
      Object.defineProperty(file, 'data', { value: Buffer.from(await value.arrayBuffer()), enumerable: false });
      parsed.files.push(file);
    }
    return parsed;
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
