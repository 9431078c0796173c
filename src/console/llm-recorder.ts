/**
 * A recording decorator over the model client: each call is reported with what was sent and what came back, for the
 * history to tie to its message (see attributeCall). It deliberately uses no AsyncLocalStorage: on Node 20 one
 * AsyncLocalStorage.run slows every promise in the process afterwards (the bench showed it on the webhook's hot
 * path); calls are instead matched to messages by what they carry.
 */
import { withCalls } from '../llm/decorate.js';
import type { LlmClient, LlmMessage } from '../llm/types.js';
import type { ModelCall } from './types.js';

/** Long strings (image data URLs, long prompts) are cut for display; the console keeps what a reader needs. */
const MAX_CHARS = 4000;

export const cut = (text: string): string =>
  text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}… (${text.length} characters)` : text;

function shown(messages: LlmMessage[]): LlmMessage[] {
  return messages.map((message) => ({
    role: message.role,
    content:
      typeof message.content === 'string'
        ? cut(message.content)
        : message.content.map((part) =>
            part.type === 'text'
              ? { type: 'text', text: cut(part.text) }
              : { type: 'image_url', imageUrl: cut(part.imageUrl) },
          ),
  }));
}

export function recordLlmCalls(
  llm: LlmClient,
  { onCall, now = Date.now }: { onCall: (call: ModelCall) => void; now?: () => number },
): LlmClient {
  async function record<T>(
    start: Omit<ModelCall, 'at' | 'latencyMs'>,
    call: () => Promise<T>,
    describe: (result: T) => Partial<ModelCall>,
  ): Promise<T> {
    const at = now();
    try {
      const result = await call();
      onCall({ ...start, at, latencyMs: now() - at, ...describe(result) });
      return result;
    } catch (error) {
      onCall({ ...start, at, latencyMs: now() - at, error: (error as Error).message });
      throw error;
    }
  }

  return withCalls(llm, {
    chat: (request) =>
      record(
        { kind: 'chat', model: request.model ?? llm.model, messages: shown(request.messages) },
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
        { kind: 'transcribe', model: request.model ?? 'whisper-1' },
        () => llm.transcribe(request),
        (text) => ({ answer: cut(text) }),
      ),
    generateImage: (request) =>
      record(
        {
          kind: 'image',
          model: request.model ?? 'dall-e-3',
          messages: [{ role: 'user', content: cut(request.prompt) }],
        },
        () => llm.generateImage(request),
        (png) => ({ answer: `[PNG, ${png.length} bytes]` }),
      ),
  });
}
