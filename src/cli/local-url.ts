/** The URL of the local webhook: what serve listens on, and what simulate and verify call by default. */

/** `0.0.0.0:3000` + `/wechat` → `http://127.0.0.1:3000/wechat` (every interface is reachable on loopback). */
export function localWebhookUrl(host: string, port: number, path: string): string {
  const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  const bracketed = reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}${path}`;
}

/** The host a tunnel forwards to: loopback when listening on every interface. */
export function forwardHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

/** `https://abc.ngrok-free.app` + `/wechat`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * The URL to paste into 服务器配置 for a public base URL, and what is wrong with it: a base that already ends with the
 * webhook path is used as it is (not `…/wechat/wechat`), and a port other than 80 or 443 is named, since 服务器配置
 * accepts only those.
 */
export function publicWebhookUrl(base: string, path: string): { url: string; problems: string[] } {
  const trimmed = base.replace(/\/+$/, '');
  const problems: string[] = [];
  let url = joinUrl(trimmed, path);
  const parsed = new URL(trimmed);
  if (path !== '/' && parsed.pathname.replace(/\/+$/, '').endsWith(path)) {
    url = trimmed;
    problems.push(`--public-url already ends with ${path}: pasting ${url} (not ${joinUrl(trimmed, path)}).`);
  }
  if (parsed.port !== '' && parsed.port !== '80' && parsed.port !== '443') {
    problems.push(
      `--public-url uses port ${parsed.port}, but 服务器配置 accepts only URLs on port 80 (http) or 443 (https): ` +
        'put a proxy on 443 in front (examples/nginx.conf).',
    );
  }
  return { url, problems };
}
