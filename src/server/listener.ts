/** A node:http request listener that sends the webhook path straight to its handler and the rest to express. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import type { WebhookHandler } from './webhook.js';

export function createRequestListener({ app, webhook, path }: { app: Express; webhook: WebhookHandler; path: string }) {
  return function wechatGptListener(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const end = url.indexOf('?');
    const pathname = end === -1 ? url : url.slice(0, end);
    if (pathname === path) void webhook(req, res);
    else app(req, res);
  };
}
