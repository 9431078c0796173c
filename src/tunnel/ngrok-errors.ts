/** Turns what @ngrok/ngrok throws into a TunnelError whose code and hint tell the operator what to do. */
import { TunnelError } from '../errors.js';

const AUTHTOKEN_PAGE = 'https://dashboard.ngrok.com/get-started/your-authtoken';
const DOMAINS_PAGE = 'https://dashboard.ngrok.com/domains';

/**
 * ngrok's error codes we can act on. 105: not an authtoken; 106/107: revoked or invalid; 4018: an account and
 * authtoken are required; 108: too many agent sessions; 313/319/320: domain not reserved / another account's;
 * 334: the endpoint is already online elsewhere.
 */
const AUTH_CODES = new Set(['ERR_NGROK_105', 'ERR_NGROK_106', 'ERR_NGROK_107', 'ERR_NGROK_4018']);
const DOMAIN_CODES = new Set(['ERR_NGROK_313', 'ERR_NGROK_319', 'ERR_NGROK_320', 'ERR_NGROK_334']);
const SESSION_LIMIT_CODE = 'ERR_NGROK_108';

/** What the Rust core reports when it cannot reach or talk to ngrok's servers (seen offline: the first one). */
const NETWORK_PATTERN =
  /failed to establish tcp connection|tls handshake|dns|resolve|connection (refused|reset|closed)|timed? ?out|network|unreachable/i;

export interface NgrokErrorContext {
  domain?: string | undefined;
  port?: number | undefined;
}

export function missingAuthtokenError(): TunnelError {
  return new TunnelError('TUNNEL_AUTH', 'ngrok needs an authtoken to open a tunnel, and NGROK_AUTHTOKEN is not set.', {
    hint: `Get your authtoken at ${AUTHTOKEN_PAGE} and set NGROK_AUTHTOKEN in .env (or run without a tunnel and put your own public URL in 服务器配置).`,
  });
}

export function invalidDomainError(domain: string): TunnelError {
  return new TunnelError('TUNNEL_DOMAIN', `NGROK_DOMAIN "${domain}" is not a host name.`, {
    hint: `Set NGROK_DOMAIN to the bare domain shown at ${DOMAINS_PAGE}, e.g. example.ngrok-free.app (no https://, no path).`,
  });
}

export function timeoutError(timeoutMs: number, context: NgrokErrorContext = {}): TunnelError {
  return new TunnelError('TUNNEL_NETWORK', `ngrok's servers did not answer within ${formatSeconds(timeoutMs)}.`, {
    hint: networkHint(context),
  });
}

/** The ERR_NGROK_… code of an error, from the `errorCode` property the wrapper fills in or from the message. */
export function ngrokErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fromProperty = (error as { errorCode?: unknown }).errorCode;
  if (typeof fromProperty === 'string' && fromProperty.startsWith('ERR_NGROK_')) return fromProperty;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? /ERR_NGROK_\d+/.exec(message)?.[0] : undefined;
}

export function toTunnelError(error: unknown, context: NgrokErrorContext = {}): TunnelError {
  if (error instanceof TunnelError) return error;
  const code = ngrokErrorCode(error);
  const reason = describe(error);
  const options = { cause: error };

  if (code && AUTH_CODES.has(code)) {
    return new TunnelError('TUNNEL_AUTH', `ngrok rejected the authtoken (${code}): ${reason}`, {
      ...options,
      hint: `Copy your authtoken again from ${AUTHTOKEN_PAGE} into NGROK_AUTHTOKEN; it may have been mistyped or reset.`,
    });
  }
  if (code && DOMAIN_CODES.has(code)) {
    const domain = context.domain ? `"${context.domain}"` : 'the domain';
    return new TunnelError('TUNNEL_DOMAIN', `ngrok refused ${domain} (${code}): ${reason}`, {
      ...options,
      hint:
        code === 'ERR_NGROK_334'
          ? 'Another ngrok agent is already serving this domain: stop it, or set a different NGROK_DOMAIN.'
          : `NGROK_DOMAIN must be a domain reserved on this authtoken's account (${DOMAINS_PAGE}); free accounts get one static domain. Remove NGROK_DOMAIN to get a random URL instead.`,
    });
  }
  if (code === SESSION_LIMIT_CODE) {
    return new TunnelError('TUNNEL_FAILED', `ngrok refused another agent session (${code}): ${reason}`, {
      ...options,
      hint: 'Another ngrok agent is running with this authtoken (free accounts allow one): stop it, or keep using its URL with --public-url.',
    });
  }
  if (!code && NETWORK_PATTERN.test(reason)) {
    return new TunnelError('TUNNEL_NETWORK', `Could not reach ngrok's servers: ${reason}`, {
      ...options,
      hint: networkHint(context),
    });
  }
  return new TunnelError('TUNNEL_FAILED', `ngrok could not open the tunnel${code ? ` (${code})` : ''}: ${reason}`, {
    ...options,
    hint: code
      ? `See https://ngrok.com/docs/errors/${code.toLowerCase()} for what it means.`
      : 'Run again with LOG_LEVEL=debug for details, or run without a tunnel and expose the port yourself.',
  });
}

/**
 * Names no port: the one serve listens on may be a random one (--port 0), and WeChat only calls 80 and 443 anyway —
 * the way without ngrok is a reverse proxy with TLS on 443 in front of serve.
 */
function networkHint(_context: NgrokErrorContext): string {
  return "Check this machine's internet connection, proxy and firewall (ngrok needs outbound TCP 443). Or run with --no-tunnel behind your own HTTPS server on port 443 (examples/nginx.conf) and pass its URL with --public-url.";
}

/** ngrok's first line, without the "failed to connect session:" prefix and the trailing error_code. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split(/\r?\n/)[0] ?? message;
  return (
    firstLine
      .replace(/^failed to (connect session|start listener|bind listener):\s*/i, '')
      .replace(/\s*error_code:\s*ERR_NGROK_\d+\s*$/, '')
      .trim() || 'unknown error'
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
