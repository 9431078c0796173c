/**
 * Which public URL serve offers WeChat: --public-url as given, an ngrok tunnel, or none (local only, with a hint).
 *
 * Test-only: WECHAT_GPT_FAKE_TUNNEL_URL=https://fake.example makes every ngrok tunnel a fake one with that URL, and
 * WECHAT_GPT_FAKE_TUNNEL_ERROR=<an ngrok error message> makes it fail as ngrok would (e.g. "… ERR_NGROK_4018"). They
 * exist so the spawned CLI can be tested without ngrok's servers; this is the only place that reads them.
 */

import type { Tunnel } from '../../tunnel/types.js';
import type { ServeSettings } from '../load-config.js';

export type TunnelChoice =
  | { kind: 'public-url'; url: string }
  | { kind: 'none'; reason: 'flag' | 'no-authtoken' }
  | { kind: 'tunnel'; tunnel: Tunnel; authtoken?: string; domain?: string };

export async function chooseTunnel(cli: ServeSettings, env: Record<string, string | undefined>): Promise<TunnelChoice> {
  if (cli.publicUrl) return { kind: 'public-url', url: cli.publicUrl };
  if (cli.tunnel === 'none') return { kind: 'none', reason: 'flag' };
  const fakeUrl = env.WECHAT_GPT_FAKE_TUNNEL_URL;
  const fakeError = env.WECHAT_GPT_FAKE_TUNNEL_ERROR;
  const fake = Boolean(fakeUrl || fakeError);
  if (cli.tunnel === 'auto' && !cli.ngrokAuthtoken && !fake) return { kind: 'none', reason: 'no-authtoken' };

  const extras = {
    ...(cli.ngrokAuthtoken ? { authtoken: cli.ngrokAuthtoken } : {}),
    ...(cli.domain ? { domain: cli.domain } : {}),
  };
  if (fake) {
    const { createFakeTunnel, toTunnelError } = await import('../../tunnel/index.js');
    const tunnel = createFakeTunnel({
      ...(fakeError ? { fail: toTunnelError(new Error(fakeError), { domain: cli.domain }) } : {}),
      ...(fakeUrl ? { url: () => fakeUrl.replace(/\/+$/, '') } : {}),
    });
    return { kind: 'tunnel', tunnel, ...extras };
  }
  const { createNgrokTunnel } = await import('../../tunnel/ngrok.js');
  return { kind: 'tunnel', tunnel: createNgrokTunnel(), ...extras };
}
