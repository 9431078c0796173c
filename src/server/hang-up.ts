/**
 * Answers a request whose body will not be read (refused on its query, or too large) and closes the connection so
 * that the client can read the answer. Closing a socket with unread input makes the kernel send a reset, and a client
 * still uploading then loses the answer it had not read yet (the "connection reset instead of 413"). So the answer
 * goes out with `Connection: close`, our side is half-closed (FIN after the answer), and what the client still sends is
 * read and discarded until it closes, up to a bound, as web servers' "lingering close" does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused upload is read and discarded after the answer, at most, before the socket is cut. */
export const LINGER_MAX_BYTES = 4 * 1024 * 1024;
/** How long the client has to read the answer and hang up, at most, before the socket is cut. */
export const LINGER_MAX_MS = 2000;

export function answerAndHangUp(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const { socket } = req;
  // node:http ends a `Connection: close` response with socket.destroySoon() (FIN, then destroy at once): make that a
  // half-close, and cut the socket ourselves once the client has had its chance to read.
  socket.destroySoon = function halfClose() {
    if (socket.writable) socket.end();
  };
  res.once('finish', () => {
    if (socket.destroyed) return;
    let discarded = 0;
    const cut = setTimeout(() => socket.destroy(), LINGER_MAX_MS);
    cut.unref();
    socket.once('close', () => clearTimeout(cut));
    // What still arrives is counted and dropped.
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_MAX_BYTES) socket.destroy();
    });
    req.resume();
    if (socket.writable) socket.end();
  });
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  });
  res.end(body);
}

/** Whether the request announced a body (chunked, or a Content-Length above 0). */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
