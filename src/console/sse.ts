/**
 * Server-Sent Events to the open console pages. With no page open, send() returns before serialising anything:
 * the console then costs the webhook only its history bookkeeping.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Comments keep idle connections (and proxies between) from timing out. */
const KEEPALIVE_MS = 15_000;

export interface EventStream {
  /** Answers an EventSource request and keeps the connection until the page goes. */
  open(req: IncomingMessage, res: ServerResponse): void;
  send(event: string, data: () => unknown): void;
  readonly clients: number;
  close(): void;
}

export function createEventStream(): EventStream {
  const clients = new Set<ServerResponse>();
  let keepalive: NodeJS.Timeout | undefined;

  return {
    open(req, res) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      clients.add(res);
      keepalive ??= setInterval(() => {
        for (const client of clients) client.write(': keepalive\n\n');
      }, KEEPALIVE_MS).unref();
      req.once('close', () => {
        clients.delete(res);
        if (clients.size === 0 && keepalive) {
          clearInterval(keepalive);
          keepalive = undefined;
        }
      });
    },
    send(event, data) {
      if (clients.size === 0) return;
      const frame = `event: ${event}\ndata: ${JSON.stringify(data())}\n\n`;
      for (const client of clients) client.write(frame);
    },
    get clients() {
      return clients.size;
    },
    close() {
      for (const client of clients) client.end();
      clients.clear();
      if (keepalive) clearInterval(keepalive);
      keepalive = undefined;
    },
  };
}
