/**
 * Who may use the console: a browser on this machine that holds the per-run secret. The request must arrive on
 * loopback, not through a proxy or the tunnel (ngrok connects from loopback too, but with its own Host and
 * X-Forwarded-For), name a loopback Host (DNS rebinding), come from the console's own origin (CSRF), and carry the
 * secret: in the printed URL once, then in an HttpOnly, SameSite=Strict cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type GuardVerdict =
  | { ok: true }
  /** The printed URL: the secret is right; set the cookie and redirect to a URL without it. */
  | { ok: 'login'; cookie: string }
  | { ok: false; status: 401 | 403; reason: string };

export function newConsoleSecret(): string {
  return randomBytes(24).toString('base64url');
}

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export function createConsoleGuard({ secret, port }: { secret: string; port: () => number }) {
  // Cookies are not scoped by port: two serve runs side by side each keep their own.
  const cookieName = () => `wechat_gpt_console_${port()}`;

  return {
    cookieName,
    check(req: IncomingMessage, url: URL): GuardVerdict {
      const remote = req.socket.remoteAddress ?? '';
      if (!LOOPBACK_ADDRESS.test(remote)) {
        return { ok: false, status: 403, reason: 'The console answers only on this machine (loopback).' };
      }
      if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) {
        return { ok: false, status: 403, reason: 'The console is not served through a proxy or tunnel.' };
      }
      const host = req.headers.host ?? '';
      if (!LOOPBACK_HOST.test(host) || !host.endsWith(`:${port()}`)) {
        return { ok: false, status: 403, reason: `Open the console as http://127.0.0.1:${port()}/_console.` };
      }
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) {
        return { ok: false, status: 403, reason: 'Requests from other sites are refused.' };
      }
      if (req.headers['sec-fetch-site'] === 'cross-site') {
        return { ok: false, status: 403, reason: 'Requests from other sites are refused.' };
      }
      const given = url.searchParams.get('secret');
      if (given !== null && req.method === 'GET' && same(given, secret)) {
        return {
          ok: 'login',
          cookie: `${cookieName()}=${secret}; Path=/_console; HttpOnly; SameSite=Strict`,
        };
      }
      const held = cookieValue(req.headers.cookie, cookieName());
      if (held !== undefined && same(held, secret)) return { ok: true };
      return {
        ok: false,
        status: 401,
        reason: 'Open the console with the URL that `wechat-gpt serve` printed (it carries this run’s secret).',
      };
    },
  };
}
