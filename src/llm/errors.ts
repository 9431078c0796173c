/** Turning whatever the openai SDK (or the stream under it) throws into one LlmError with a kind and a hint. */
import { LlmError } from '../errors.js';

type Sdk = typeof import('openai');

export interface FailureContext {
  /** What was being done, for messages: "chat", "transcription", "image generation". */
  operation: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  /** Our own per-attempt timer fired (the SDK then reports a plain abort). */
  timedOut: boolean;
}

/** The error the caller sees for a failure of one attempt. The SDK module is passed in because it loads lazily. */
export function toLlmError(error: unknown, sdk: Sdk, context: FailureContext): LlmError {
  if (error instanceof LlmError) return error;
  const { operation, baseUrl, model, timeoutMs } = context;

  if (context.timedOut || error instanceof sdk.APIConnectionTimeoutError) {
    return new LlmError('timeout', `No ${operation} answer from ${model} within ${timeoutMs} ms.`, {
      cause: error,
      hint: 'The model is slow or unreachable: raise llm.timeoutMs, pick a faster model, or check the provider.',
    });
  }
  if (error instanceof sdk.APIConnectionError) {
    const code = errorCode(error);
    return new LlmError('connection', `Could not reach ${baseUrl}${code ? ` (${code})` : ''}.`, {
      cause: error,
      hint: 'Check OPENAI_BASE_URL, the network or proxy, and that the server (e.g. Ollama) is running.',
    });
  }
  if (error instanceof sdk.APIError && error.status !== undefined) {
    return fromStatus(error, error.status, context);
  }
  if (error instanceof sdk.APIError) {
    // An error event inside a stream that had started well: the provider failed while answering.
    return new LlmError('server', `The model reported an error mid-answer: ${error.message}`, {
      cause: error,
      hint: 'Usually transient; try again. If it persists, check the provider status page.',
    });
  }
  // Everything else happened after the response began: a reset socket, unparseable SSE or JSON.
  const reason = error instanceof Error ? error.message : String(error);
  return new LlmError('stream', `The ${operation} answer from ${baseUrl} broke off: ${reason}`, {
    cause: error,
    hint: 'Usually a network hiccup or an overloaded provider; try again. A proxy that buffers SSE can also cause it.',
  });
}

function fromStatus(error: InstanceType<Sdk['APIError']>, status: number, context: FailureContext): LlmError {
  const { baseUrl, model } = context;
  const detail = `${baseUrl} answered ${status}: ${providerMessage(error)}`;
  const retryAfterMs = parseRetryAfter(error.headers);
  const options = { cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };

  if (status === 401) {
    return new LlmError('auth', detail, { ...options, hint: `Check OPENAI_API_KEY: ${baseUrl} does not accept it.` });
  }
  if (status === 403) {
    return new LlmError('auth', detail, {
      ...options,
      hint: `The key may not use ${model} (or your region is not served): check OPENAI_API_KEY and the model name.`,
    });
  }
  if (status === 429) {
    if (error.code === 'insufficient_quota') {
      return new LlmError('rate_limit', detail, {
        ...options,
        retryable: false,
        hint: 'The account has no quota left: add credit or billing at the provider, or use another key.',
      });
    }
    return new LlmError('rate_limit', detail, {
      ...options,
      hint: 'The provider is rate-limiting this key: wait, lower limits.maxConcurrentLlmCalls, or raise the quota.',
    });
  }
  if (status === 408) {
    return new LlmError('timeout', detail, {
      ...options,
      hint: 'The provider timed out: try again or raise llm.timeoutMs.',
    });
  }
  if (status >= 500) {
    return new LlmError('server', detail, {
      ...options,
      hint: 'The provider had an internal error; it usually passes. Check its status page if it persists.',
    });
  }
  if (status === 404) {
    return new LlmError('bad_request', detail, {
      ...options,
      hint: `Check the model name (llm.model / OPENAI_MODEL, now ${model}) and OPENAI_BASE_URL (most servers need the /v1 suffix).`,
    });
  }
  return new LlmError('bad_request', detail, {
    ...options,
    hint: `The server rejected the request: check that ${model} supports it (images need a vision model) and llm.maxTokens.`,
  });
}

function providerMessage(error: InstanceType<Sdk['APIError']>): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

/** The delay a response asks for: retry-after-ms (OpenAI's), else Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The system error code (ECONNREFUSED, ENOTFOUND…) somewhere down the cause chain, if any. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}
