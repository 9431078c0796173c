/**
 * The express app: the webhook at its path, /healthz and (unless turned off) /metrics. Users can mount it (or its
 * router) in their own app.
 */
import express, { type Express, type Router } from 'express';
import type { createHealthHandler } from './health.js';
import type { createMetricsHandler } from './metrics.js';
import type { WebhookHandler } from './webhook.js';

export function createRouter({
  path,
  webhook,
  health,
  metrics,
}: {
  path: string;
  webhook: WebhookHandler;
  health: ReturnType<typeof createHealthHandler>;
  metrics?: ReturnType<typeof createMetricsHandler> | undefined;
}): Router {
  const router = express.Router();
  // No body parser: the webhook reads the raw text/xml body itself (signatures are over the exact bytes).
  router.all(path, (req, res) => webhook(req, res));
  router.get('/healthz', (req, res) => health(req, res));
  if (metrics) router.get('/metrics', (req, res) => metrics(req, res));
  return router;
}

export function createApp(options: Parameters<typeof createRouter>[0]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(createRouter(options));
  return app;
}
