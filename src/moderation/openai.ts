/**
 * OpenAI's moderation endpoint (POST /moderations) through the official SDK, loaded on first use. A check that takes
 * longer than its time limit is aborted, and the configured policy decides (default: allow, logged), so the endpoint
 * can never break WeChat's 5-second rule.
 */
import type OpenAI from 'openai';

export interface ProviderVerdict {
  flagged: boolean;
  /** The categories flagged (e.g. "violence", "self-harm"), for logs. */
  categories: string[];
}

/** Checks one text; rejects on failure or when the signal aborts. */
export type ModerationProvider = (text: string, signal: AbortSignal) => Promise<ProviderVerdict>;

export interface OpenAIModerationOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
  fetch?: typeof globalThis.fetch;
}

export function createOpenAIModeration({ apiKey, baseUrl, model, fetch }: OpenAIModerationOptions): ModerationProvider {
  let client: OpenAI | undefined;
  return async function moderateWithOpenAI(text, signal) {
    if (!client) {
      const { default: Sdk } = await import('openai');
      client = new Sdk({
        apiKey,
        ...(baseUrl ? { baseURL: baseUrl } : {}),
        maxRetries: 0,
        ...(fetch ? { fetch } : {}),
      });
    }
    const answer = await client.moderations.create({ model, input: text }, { signal });
    const flaggedResults = answer.results.filter((result) => result.flagged);
    const categories = new Set<string>();
    for (const result of flaggedResults) {
      for (const [name, on] of Object.entries(result.categories)) if (on) categories.add(name);
    }
    return { flagged: flaggedResults.length > 0, categories: [...categories] };
  };
}
