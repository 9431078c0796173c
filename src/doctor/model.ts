/**
 * doctor's model check, with the key from the configuration and the official openai SDK: the key lists the models,
 * the configured model is among them, and (unless turned off) one tiny completion answers, timed.
 */
import type OpenAI from 'openai';
import type { LlmError } from '../errors.js';
import { DEFAULT_BASE_URL, isLocalBaseUrl, LOCAL_PLACEHOLDER_KEY } from '../llm/client.js';
import { toLlmError } from '../llm/errors.js';
import { redactUrl } from '../secrets.js';
import { type Check, fail, ok } from './types.js';

export interface ModelCheckOptions {
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  model: string;
  /** Send one tiny completion and time it (default true). serve's start-up check only lists the models. */
  completion?: boolean;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

const MAX_LISTED = 5;

export function modelCheck({
  apiKey,
  baseUrl = DEFAULT_BASE_URL,
  model,
  completion = true,
  timeoutMs,
  fetch,
}: ModelCheckOptions): Check {
  const base = baseUrl.replace(/\/+$/, '');
  const shownBase = redactUrl(base);
  return {
    id: 'model',
    async run(signal) {
      if (!apiKey && !isLocalBaseUrl(base)) {
        return fail(
          'OPENAI_API_KEY is not set: the bot answers every question with a "not configured" notice',
          'Add OPENAI_API_KEY=sk-… to .env (and OPENAI_BASE_URL, OPENAI_MODEL for DeepSeek, Qwen, Moonshot…).',
        );
      }
      const sdk = await import('openai');
      const client = new sdk.OpenAI({
        apiKey: apiKey || LOCAL_PLACEHOLDER_KEY,
        baseURL: base,
        maxRetries: 0,
        timeout: timeoutMs,
        logLevel: 'off',
        ...(fetch ? { fetch } : {}),
      });
      const llmError = (error: unknown, operation: string): LlmError =>
        toLlmError(error, sdk, { operation, baseUrl: shownBase, model, timeoutMs, timedOut: signal.aborted });

      let ids: string[] | undefined;
      try {
        ids = (await client.models.list({ signal })).data.map((m) => m.id);
      } catch (error) {
        const failure = llmError(error, 'model list');
        // Some compatible servers have no /models: that says nothing about the key, so the completion decides.
        if (failure.kind !== 'bad_request' || !completion) {
          return fail(describe(failure), failure.hint);
        }
      }
      if (ids && !ids.includes(model)) {
        const listed = ids.slice(0, MAX_LISTED).join(', ') + (ids.length > MAX_LISTED ? ', …' : '');
        return fail(
          `${model} is not among the ${ids.length} models the key can use at ${shownBase}`,
          `Set OPENAI_MODEL to one of them${listed ? ` (${listed})` : ''}, or check OPENAI_BASE_URL.`,
        );
      }
      const listedNote = ids ? `the key lists ${ids.length} model${ids.length === 1 ? '' : 's'}` : 'no model list';
      if (!completion) return ok(`${model} at ${shownBase}: key accepted, ${listedNote}`);

      const started = performance.now();
      try {
        await tinyCompletion(client, model, signal);
      } catch (error) {
        const failure = llmError(error, 'chat');
        return fail(describe(failure), failure.hint);
      }
      const latencyMs = Math.round(performance.now() - started);
      return ok(`${model} answered a tiny completion (${listedNote} at ${shownBase})`, { latencyMs });
    },
  };
}

function tinyCompletion(client: OpenAI, model: string, signal: AbortSignal) {
  return client.chat.completions.create(
    { model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 5, stream: false },
    { signal },
  );
}

/** The key's rejection reads as such; other failures as the client reports them. */
function describe(error: LlmError): string {
  if (error.kind === 'auth') return `the key was rejected: ${error.message}`;
  return error.message;
}
