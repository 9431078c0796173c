/**
 * doctor's ngrok check: opens a tunnel with the authtoken (and the reserved domain, if set) and closes it at once —
 * the only way to learn whether ngrok accepts both. Skipped without NGROK_AUTHTOKEN.
 */
import { TunnelError } from '../errors.js';
import type { Tunnel } from '../tunnel/types.js';
import { type Check, fail, ok, skip } from './types.js';

export interface NgrokCheckOptions {
  authtoken?: string | undefined;
  domain?: string | undefined;
  /** The local port the test tunnel points at (nothing needs to listen there). */
  port: number;
  timeoutMs: number;
  /** The ngrok adapter by default; tests pass a fake. */
  tunnel?: Tunnel;
}

export function ngrokCheck({ authtoken, domain, port, timeoutMs, tunnel }: NgrokCheckOptions): Check {
  return {
    id: 'ngrok',
    async run(signal) {
      if (!authtoken) {
        return skip('NGROK_AUTHTOKEN is not set: no tunnel (fine behind your own domain with --public-url)');
      }
      const adapter = tunnel ?? (await import('../tunnel/ngrok.js')).createNgrokTunnel({ timeoutMs });
      try {
        const opened = await adapter.open({
          port: port || 3000,
          authtoken,
          ...(domain ? { domain } : {}),
          signal,
          timeoutMs,
        });
        await opened.close();
        return domain
          ? ok(`authtoken accepted, ${domain} is reserved on its account`)
          : ok('authtoken accepted', {
              hint: 'Without NGROK_DOMAIN the URL changes at every start; reserve a free static domain.',
            });
      } catch (error) {
        if (!(error instanceof TunnelError)) throw error;
        // Its messages already say what ngrok refused (the authtoken, the domain) or that it could not be reached.
        return fail(error.message, error.hint);
      }
    },
  };
}
