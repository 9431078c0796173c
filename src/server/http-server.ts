/**
 * The node:http server for the webhook, with timeouts that fit one: WeChat sends a small body at once and gives up
 * after 5 s, so a client that takes seconds over its headers or body is not WeChat (slowloris), and is cut early
 * instead of holding a connection for Node's default 300 s. Answers are not covered: requestTimeout counts only the
 * request's arrival, so attempts held open past WeChat's timeout (the deadline coordinator) are unaffected.
 */
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';

/** The values, documented in the README's Security section. */
export const WEBHOOK_SERVER_TIMEOUTS: Required<
  Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionsCheckingInterval'>
> = {
  /** The request line and headers must arrive within this (Node's default: 60 s). */
  headersTimeout: 5_000,
  /** The whole request, body included, must arrive within this (Node's default: 300 s). */
  requestTimeout: 10_000,
  /**
   * An idle keep-alive connection is closed after this (Node's default: 5 s). Above the 60 s idle timeout of common
   * reverse proxies and load balancers (nginx upstream keepalive, ALB), so the proxy closes first and never reuses a
   * connection we are closing.
   */
  keepAliveTimeout: 65_000,
  /** How often Node checks the two request timeouts (Node's default: 30 s, which would stretch them by as much). */
  connectionsCheckingInterval: 1_000,
};

export function createWebhookServer(
  listener: RequestListener,
  timeouts: Partial<typeof WEBHOOK_SERVER_TIMEOUTS> = {},
): Server {
  return createServer({ ...WEBHOOK_SERVER_TIMEOUTS, ...timeouts }, listener);
}
