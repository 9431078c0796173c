/** A Tunnel on @ngrok/ngrok (the in-process agent): gives the local webhook a public https URL. */
import type { Listener } from '@ngrok/ngrok';
import {
  invalidDomainError,
  missingAuthtokenError,
  type NgrokErrorContext,
  timeoutError,
  toTunnelError,
} from './ngrok-errors.js';
import type { OpenTunnel, Tunnel, TunnelOpenOptions } from './types.js';

export interface NgrokTunnelOptions {
  /** Give up opening after this long. Offline, ngrok can wait on a silent network for minutes. */
  timeoutMs?: number;
  /** ngrok's session server (host:port). Only for tests and self-hosted setups. */
  serverAddr?: string;
  /** How long close() waits for ngrok to confirm before giving up (shutdown must not hang). */
  closeTimeoutMs?: number;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function createNgrokTunnel({
  timeoutMs: defaultTimeoutMs = 15_000,
  serverAddr,
  closeTimeoutMs = 3_000,
}: NgrokTunnelOptions = {}): Tunnel {
  return {
    kind: 'ngrok',
    open: async function openNgrokTunnel({
      port,
      host = '127.0.0.1',
      domain,
      authtoken,
      signal,
      timeoutMs = defaultTimeoutMs,
    }: TunnelOpenOptions): Promise<OpenTunnel> {
      // Checked before loading the native module, so a missing token never touches the network.
      if (!authtoken) throw missingAuthtokenError();
      if (domain && !HOSTNAME.test(domain)) throw invalidDomainError(domain);
      signal?.throwIfAborted();

      const ngrok = await import('@ngrok/ngrok');
      const forwarding = ngrok.forward({
        addr: `${host}:${port}`,
        authtoken,
        ...(domain ? { domain } : {}),
        ...(serverAddr ? { server_addr: serverAddr } : {}),
      });
      const listener = await settleWithin(forwarding, { timeoutMs, signal, context: { domain, port } });
      const url = listener.url();
      if (!url) {
        await closeQuietly(listener, closeTimeoutMs);
        throw toTunnelError(new Error('ngrok opened a listener without a URL'), { domain, port });
      }
      let closing: Promise<void> | undefined;
      return {
        url: url.replace(/\/+$/, ''),
        close() {
          closing ??= closeQuietly(listener, closeTimeoutMs);
          return closing;
        },
      };
    },
  };
}

/**
 * Waits for ngrok, but no longer than timeoutMs or the signal. ngrok's connect cannot be cancelled, so when we stop
 * waiting we decide the loser's fate here: if it connects later, its listener is closed at once, so no public URL
 * is left pointing at this machine.
 */
function settleWithin(
  forwarding: Promise<Listener>,
  { timeoutMs, signal, context }: { timeoutMs: number; signal: AbortSignal | undefined; context: NgrokErrorContext },
): Promise<Listener> {
  return new Promise<Listener>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const abandon = (error: unknown) =>
      finish(() => {
        forwarding.then((late) => closeQuietly(late, 3_000)).catch(() => {});
        reject(error);
      });
    const onAbort = () => abandon(signal?.reason);
    const timer = setTimeout(() => abandon(timeoutError(timeoutMs, context)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    forwarding.then(
      (listener) => finish(() => resolve(listener)),
      (error: unknown) => finish(() => reject(toTunnelError(error, context))),
    );
  });
}

async function closeQuietly(listener: Listener, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // Best effort: on shutdown a dead network must not keep us waiting.
  await Promise.race([
    listener.close().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
