/**
 * doctor's public URL check: the GET that 服务器配置's 提交 button sends (signature, echostr), against --url or the
 * webhook under --public-url. Skipped when there is no public URL to check.
 */
import { publicWebhookUrl } from '../cli/local-url.js';
import { verifyUrl } from '../simulator/verify-url.js';
import { type Check, fail, ok, skip } from './types.js';

export interface PublicUrlCheckOptions {
  /** A URL to check as it is (doctor --url). */
  url?: string | undefined;
  /** Your public base URL (--public-url / serve.publicUrl); the webhook path is added as serve does. */
  publicUrl?: string | undefined;
  path: string;
  token?: string | undefined;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

const PROXY_HINT = 'Put a proxy on 443 in front (examples/nginx.conf) and pass its URL as --public-url.';

export function publicUrlCheck({ url, publicUrl, path, token, timeoutMs, fetch }: PublicUrlCheckOptions): Check {
  return {
    id: 'public-url',
    async run(signal) {
      const pasted = url ? { url, problems: [] } : publicUrl ? publicWebhookUrl(publicUrl, path) : undefined;
      if (!pasted) {
        return skip(
          'no public URL to check',
          'Pass --url <the URL in 服务器配置> (serve prints it), or --public-url when you run behind your own domain.',
        );
      }
      if (!token) {
        return fail(
          `cannot sign the check of ${pasted.url}: no Token`,
          'Set WECHAT_TOKEN (the Token of 服务器配置), or run `npx wechat-gpt serve` once in this folder.',
        );
      }
      const result = await verifyUrl({ url: pasted.url, token, timeoutMs, signal, ...(fetch ? { fetch } : {}) });
      const { port } = new URL(pasted.url);
      const portRefused = port !== '' && port !== '80' && port !== '443';
      if (!result.ok) {
        const tokenDiffers = result.status === 401 || result.status === 403;
        return fail(
          `${pasted.url} fails the 服务器配置 check: ${result.reason}`,
          tokenDiffers
            ? 'Use one Token everywhere: the server’s WECHAT_TOKEN, this folder’s, and 服务器配置 → Token.'
            : 'Check that serve runs, that the URL reaches it (tunnel, proxy, DNS), then run doctor again.',
          { latencyMs: result.latencyMs },
        );
      }
      const latency = { latencyMs: result.latencyMs };
      const onlyStandardPorts = '服务器配置 takes only ports 80 (http) and 443 (https)';
      // --public-url is what serve prints for 服务器配置, so a port it refuses is a failure; --url may be a local check.
      if (portRefused && !url) {
        return fail(`${pasted.url} echoes echostr, but ${onlyStandardPorts}, not ${port}`, PROXY_HINT, latency);
      }
      return ok(`${pasted.url} passes the 服务器配置 check (HTTP ${result.status})`, {
        ...latency,
        ...(portRefused ? { hint: `${onlyStandardPorts}: check the public URL in front of it too.` } : {}),
      });
    },
  };
}
