/** The tunnel contract: something that gives a local port a public URL WeChat can reach. Adapters implement it. */

export interface TunnelOpenOptions {
  /** The local port to forward to. */
  port: number;
  /** The local host to forward to (default 127.0.0.1). */
  host?: string;
  /** A reserved domain to ask for (e.g. your free static ngrok domain). */
  domain?: string;
  /** The provider's credential (ngrok: NGROK_AUTHTOKEN). */
  authtoken?: string;
  /** Abandons the attempt; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Give up after this long (each adapter has a default). */
  timeoutMs?: number;
}

export interface OpenTunnel {
  /** The public base URL, e.g. https://abc.ngrok-free.app (no trailing slash). */
  readonly url: string;
  /** Takes the public URL down. Safe to call twice. */
  close(): Promise<void>;
}

export interface Tunnel {
  /** What kind of tunnel this is (`ngrok`, `fake`…), for logs and `config`. */
  readonly kind: string;
  /** Opens the tunnel; rejects with a TunnelError whose code and hint say what to do. */
  open(options: TunnelOpenOptions): Promise<OpenTunnel>;
}
