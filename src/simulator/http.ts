/** One HTTP exchange under WeChat's rule: the whole answer (headers and body) within the timeout, or it is dropped. */

export type FetchLike = typeof globalThis.fetch;

export type Exchange =
  | { kind: 'response'; status: number; body: string; contentType: string | null; latencyMs: number }
  | { kind: 'timeout'; latencyMs: number }
  | { kind: 'error'; message: string; latencyMs: number };

export interface ExchangeOptions {
  fetch: FetchLike;
  url: string;
  init: RequestInit;
  timeoutMs: number;
  /** Aborting it ends the exchange and rethrows: the caller gave up, unlike a timeout. */
  signal?: AbortSignal;
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

export async function exchange({ fetch, url, init, timeoutMs, signal }: ExchangeOptions): Promise<Exchange> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`no answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, { ...init, signal: controller.signal });
    const body = await response.text();
    return {
      kind: 'response',
      status: response.status,
      body,
      contentType: response.headers.get('content-type'),
      latencyMs: latency(),
    };
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) return { kind: 'timeout', latencyMs: latency() };
    return { kind: 'error', message: describeError(error), latencyMs: latency() };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
