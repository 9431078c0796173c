/** Starts the HTTP server on host:port, turning "port in use" and friends into errors that say what to do. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WechatGptError } from '../../errors.js';

export type ListenErrorCode = 'PORT_IN_USE' | 'PORT_FORBIDDEN' | 'HOST_UNAVAILABLE' | 'LISTEN_FAILED';

export function listen(server: Server, { port, host }: { port: number; host: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, { port, host }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host });
  });
}

function listenError(error: NodeJS.ErrnoException, { port, host }: { port: number; host: string }) {
  const where = `${host}:${port}`;
  const other = port === 3000 ? 3001 : port + 1;
  switch (error.code) {
    case 'EADDRINUSE':
      return new WechatGptError<ListenErrorCode>('PORT_IN_USE', `Port ${port} is already in use (${where}).`, {
        hint: `Stop the program using it (\`lsof -i :${port}\` shows which), or pick another port: --port ${other}, or --port 0 for any free one.`,
        cause: error,
      });
    case 'EACCES':
      return new WechatGptError<ListenErrorCode>('PORT_FORBIDDEN', `Not allowed to listen on ${where}.`, {
        hint: `Ports below 1024 need root: use --port ${port < 1024 ? 3000 : other} and put a reverse proxy in front.`,
        cause: error,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new WechatGptError<ListenErrorCode>(
        'HOST_UNAVAILABLE',
        `Cannot listen on ${host}: no such address here.`,
        {
          hint: 'Use --host 0.0.0.0 (every interface) or --host 127.0.0.1 (this machine only).',
          cause: error,
        },
      );
    default:
      return new WechatGptError<ListenErrorCode>('LISTEN_FAILED', `Cannot listen on ${where}: ${error.message}`, {
        hint: 'Try another --port or --host.',
        cause: error,
      });
  }
}
