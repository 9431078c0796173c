/**
 * The load generator every bench section uses: autocannon POSTing WeChat-signed XML, each request the next one `next`
 * makes (a new user and MsgId), for a timed run (`duration`) or a number of requests (`amount`).
 */
import autocannon, { type Options, type Result } from 'autocannon';
import type { SignedRequest } from './signed-requests.js';

export async function postSigned(
  url: string,
  next: () => SignedRequest,
  run: Omit<Options, 'url' | 'method' | 'headers' | 'requests'>,
): Promise<Result> {
  return await autocannon({
    timeout: 10,
    ...run,
    url,
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    requests: [
      {
        setupRequest(request) {
          const signed = next();
          return { ...request, path: signed.path, body: signed.body };
        },
      },
    ],
  });
}
