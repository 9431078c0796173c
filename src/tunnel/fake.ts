/** A Tunnel that opens nothing: the "public" URL is the local one. For tests, and for running without a tunnel. */
import type { OpenTunnel, Tunnel, TunnelOpenOptions } from './types.js';

export interface FakeTunnel extends Tunnel {
  /** Every open() call's options, in order. */
  readonly calls: TunnelOpenOptions[];
  /** The URLs closed so far. */
  readonly closed: string[];
}

export interface FakeTunnelOptions {
  /** Make open() reject with this (e.g. a TunnelError) instead. */
  fail?: Error;
  /** The URL to hand out (default http://<host>:<port>). */
  url?: (options: TunnelOpenOptions) => string;
}

export function createFakeTunnel({
  fail,
  url = ({ host = '127.0.0.1', port }) => `http://${host}:${port}`,
}: FakeTunnelOptions = {}): FakeTunnel {
  const calls: TunnelOpenOptions[] = [];
  const closed: string[] = [];
  return {
    kind: 'fake',
    calls,
    closed,
    async open(options: TunnelOpenOptions): Promise<OpenTunnel> {
      calls.push(options);
      options.signal?.throwIfAborted();
      if (fail) throw fail;
      const publicUrl = url(options);
      let isClosed = false;
      return {
        url: publicUrl,
        async close() {
          if (isClosed) return;
          isClosed = true;
          closed.push(publicUrl);
        },
      };
    },
  };
}
