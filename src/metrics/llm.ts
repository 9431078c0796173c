/** A decorator over the model client for /metrics: each call's latency and outcome, and the tokens chat used. */
import { performance } from 'node:perf_hooks';
import { withCalls } from '../llm/decorate.js';
import type { LlmClient } from '../llm/types.js';

export type ModelCallKind = 'chat' | 'transcribe' | 'image';

export interface ModelMeter {
  call(kind: ModelCallKind, seconds: number, failed: boolean): void;
  tokens(prompt: number, completion: number): void;
}

export function meterLlm(llm: LlmClient, meter: ModelMeter): LlmClient {
  async function timed<T>(kind: ModelCallKind, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      const result = await run();
      meter.call(kind, (performance.now() - start) / 1000, false);
      return result;
    } catch (error) {
      meter.call(kind, (performance.now() - start) / 1000, true);
      throw error;
    }
  }
  return withCalls(llm, {
    chat: (request) =>
      timed('chat', async () => {
        const result = await llm.chat(request);
        if (result.usage) meter.tokens(result.usage.promptTokens, result.usage.completionTokens);
        return result;
      }),
    transcribe: (request) => timed('transcribe', () => llm.transcribe(request)),
    generateImage: (request) => timed('image', () => llm.generateImage(request)),
  });
}
