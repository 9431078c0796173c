/**
 * GET /metrics: the bot's Prometheus metrics in the text format. With metrics.token set, only a request carrying
 * `Authorization: Bearer <token>` gets them (Prometheus: `authorization: { credentials: … }` in the scrape config).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import type { BotMetrics } from '../metrics/metrics.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function createMetricsHandler({
  metrics,
  token,
}: {
  metrics: Pick<BotMetrics, 'exposition'>;
  token?: string | undefined;
}) {
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first different character.
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async function metricsEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer' });
      res.end('Unauthorized: send Authorization: Bearer <metrics.token>.\n');
      return;
    }
    const body = await metrics.exposition();
    res.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE });
    res.end(body);
  };
}
