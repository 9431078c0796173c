/**
 * Embeddings through the configured OpenAI-compatible endpoint (the openai SDK, loaded on first use): texts go in
 * batches, each batch retried on timeouts, 429 and 5xx like chat calls are, and every vector comes back normalised
 * (length 1), so cosine similarity is a dot product.
 */
import type OpenAI from 'openai';
import { isLocalBaseUrl, LOCAL_PLACEHOLDER_KEY } from '../llm/client.js';
import { toLlmError } from '../llm/errors.js';
import { attemptSignal, withRetries } from '../llm/retry.js';

export interface EmbedderOptions {
  apiKey?: string;
  baseUrl?: string;
  model: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Bound on one request (default 30 s). */
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff, doubled per retry (default 500 ms). */
  retryDelayMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface EmbedProgress {
  done: number;
  total: number;
}

export interface EmbedResult {
  vectors: Float32Array[];
  /** Tokens the provider billed (usage.prompt_tokens), summed over the batches. */
  tokens: number;
}

export interface Embedder {
  readonly model: string;
  /** Loads the SDK ahead of the first question, so that question's time budget is not spent on it. */
  ready(): Promise<void>;
  embed(
    texts: string[],
    options?: { signal?: AbortSignal; onProgress?: (progress: EmbedProgress) => void },
  ): Promise<EmbedResult>;
}

export function createEmbedder({
  apiKey,
  baseUrl = 'https://api.openai.com/v1',
  model,
  batchSize = 64,
  timeoutMs = 30_000,
  maxRetries = 2,
  retryDelayMs = 500,
  fetch,
}: EmbedderOptions): Embedder {
  const base = baseUrl.replace(/\/+$/, '');
  let loading: Promise<{ sdk: typeof import('openai'); client: OpenAI }> | undefined;
  const load = () =>
    (loading ??= import('openai').then((sdk) => ({
      sdk,
      client: new sdk.OpenAI({
        apiKey: apiKey || (isLocalBaseUrl(base) ? LOCAL_PLACEHOLDER_KEY : 'missing-key'),
        baseURL: base,
        maxRetries: 0,
        timeout: timeoutMs,
        logLevel: 'off',
        ...(fetch ? { fetch } : {}),
      }),
    })));

  async function batch(input: string[], outer: AbortSignal | undefined): Promise<EmbedResult> {
    const { sdk, client } = await load();
    return withRetries(
      async () => {
        const attempt = attemptSignal(timeoutMs, outer);
        try {
          const response = await client.embeddings.create(
            { model, input, encoding_format: 'float' },
            { signal: attempt.signal, timeout: timeoutMs },
          );
          const ordered = [...response.data].sort((a, b) => a.index - b.index);
          return {
            vectors: ordered.map((item) => normalise(Float32Array.from(item.embedding))),
            tokens: response.usage?.prompt_tokens ?? 0,
          };
        } catch (error) {
          if (outer?.aborted && !attempt.timedOut) throw outer.reason;
          throw toLlmError(error, sdk, {
            operation: 'embeddings',
            baseUrl: base,
            model,
            timeoutMs,
            timedOut: attempt.timedOut,
          });
        } finally {
          attempt.dispose();
        }
      },
      { maxRetries, baseDelayMs: retryDelayMs, maxDelayMs: 4 * retryDelayMs },
      outer ? { signal: outer } : {},
    );
  }

  return {
    model,
    async ready() {
      await load();
    },
    async embed(texts, { signal, onProgress } = {}) {
      const vectors: Float32Array[] = [];
      let tokens = 0;
      for (let start = 0; start < texts.length; start += batchSize) {
        const result = await batch(texts.slice(start, start + batchSize), signal);
        vectors.push(...result.vectors);
        tokens += result.tokens;
        onProgress?.({ done: vectors.length, total: texts.length });
      }
      return { vectors, tokens };
    },
  };
}

export function normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  if (length > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / length;
  return vector;
}
