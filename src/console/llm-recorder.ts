/**
 * A recording decorator over the model client: each call is reported with the message it was made for. The message
 * is known from an AsyncLocalStorage set around the bot's work for each attempt (the webhook observer's `within`),
 * so the engine needs no change to be observed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LlmClient } from '../llm/types.js';
import type { ModelCall } from './types.js';

/** Long strings (image data URLs, long prompts) are cut for display; the console keeps what a reader needs. */
const MAX_CHARS = 4000;

export const cut = (text: string): string =>
  text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}… (${text.length} characters)` : text;

export interface LlmRecorder {
  /** Runs work with calls inside it attributed to message `id`. */
  within<T>(id: string, work: () => Promise<T>): Promise<T>;
  wrap(llm: LlmClient): LlmClient;
}

export function createLlmRecorder({
  onCall,
  now = Date.now,
}: {
  onCall: (id: string, call: ModelCall) => void;
  now?: () => number;
}): LlmRecorder {
  const current = new AsyncLocalStorage<string>();

  async function record<T>(
    kind: ModelCall['kind'],
    model: string,
    extra: Partial<ModelCall>,
    call: () => Promise<T>,
    describe: (result: T) => Partial<ModelCall>,
  ): Promise<T> {
    const id = current.getStore();
    if (id === undefined) return call();
    const at = now();
    try {
      const result = await call();
      onCall(id, { kind, at, latencyMs: now() - at, model, ...extra, ...describe(result) });
      return result;
    } catch (error) {
      onCall(id, { kind, at, latencyMs: now() - at, model, ...extra, error: (error as Error).message });
      throw error;
    }
  }

  return {
    within: (id, work) => current.run(id, work),
    wrap(llm) {
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
        chat: (request) =>
          record(
            'chat',
            request.model ?? llm.model,
            {
              messages: request.messages.map((message) => ({
                role: message.role,
                content:
                  typeof message.content === 'string'
                    ? cut(message.content)
                    : message.content.map((part) =>
                        part.type === 'text'
                          ? { type: 'text', text: cut(part.text) }
                          : { type: 'image_url', imageUrl: cut(part.imageUrl) },
                      ),
              })),
            },
            () => llm.chat(request),
            (result) => ({
              model: result.model,
              answer: cut(result.text),
              ...(result.usage ? { usage: result.usage } : {}),
              ...(result.finishReason ? { finishReason: result.finishReason } : {}),
            }),
          ),
        transcribe: (request) =>
          record(
            'transcribe',
            request.model ?? 'whisper-1',
            {},
            () => llm.transcribe(request),
            (text) => ({ answer: cut(text) }),
          ),
        generateImage: (request) =>
          record(
            'image',
            request.model ?? 'dall-e-3',
            { messages: [{ role: 'user', content: cut(request.prompt) }] },
            () => llm.generateImage(request),
            (png) => ({ answer: `[PNG, ${png.length} bytes]` }),
          ),
      };
    },
  };
}
