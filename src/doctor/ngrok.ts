/**
 * doctor's ngrok check: opens a tunnel with the authtoken (and the reserved domain, if set) and closes it at once —
 * the only way to learn whether ngrok accepts both. Skipped without NGROK_AUTHTOKEN.
 */
import { TunnelError } from '../errors.js';
import { ngrokErrorCode } from '../tunnel/ngrok-errors.js';
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
        const busy = busyAgent(ngrokErrorCode(error.cause) ?? ngrokErrorCode(error), domain);
        if (busy) return ok(busy.summary, { hint: busy.hint });
        // Its messages already say what ngrok refused (the authtoken, the domain) or that it could not be reached.
        return fail(error.message, error.hint);
      }
    },
  };
}

/**
 * Refusals that come after ngrok accepted the authtoken: another agent holds the session (108, one per free account)
 * or the domain (334) — most often the `serve` this check is run next to. Not failures of the setup.
 */
function busyAgent(
  code: string | undefined,
  domain: string | undefined,
): { summary: string; hint: string } | undefined {
  const elsewhere = 'If no `wechat-gpt serve` runs with this authtoken, another ngrok agent does: stop it.';
  if (code === 'ERR_NGROK_334') {
    return {
      summary: `authtoken accepted, ${domain ?? 'the domain'} is online already (ERR_NGROK_334)`,
      hint: elsewhere,
    };
  }
  if (code === 'ERR_NGROK_108') {
    return {
      summary: `authtoken accepted; another agent session is online (ERR_NGROK_108), so ${domain ?? 'the tunnel'} was not opened`,
      hint: elsewhere,
    };
  }
  return undefined;
}
