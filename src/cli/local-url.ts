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
