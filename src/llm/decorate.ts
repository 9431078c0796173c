import type { LlmClient } from './types.js';

/**
 * A client that is `llm` (configured, model, base URL, read through) with its three calls replaced: what every
 * decorator of the model client (metrics, the dev console's recorder) shares.
 */
export function withCalls(llm: LlmClient, calls: Pick<LlmClient, 'chat' | 'transcribe' | 'generateImage'>): LlmClient {
  return {
    get configured() {
      return llm.configured;
    },
    get model() {
      return llm.model;
    },
    get baseUrl() {
      return llm.baseUrl;
    },
    chat: calls.chat,
    transcribe: calls.transcribe,
    generateImage: calls.generateImage,
  };
}
