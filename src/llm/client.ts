/**
 * The OpenAI-compatible model client (OpenAI, DeepSeek, Qwen, Moonshot, Ollama…) on the official openai SDK.
 *
 * Decisions worth knowing:
 * - The SDK loads on first use (`await import('openai')`), so the CLI's --help never pays for it.
 * - The SDK's own retries are off; we retry here (maxRetries, default 1) so what happens is explicit and tested:
 *   timeouts, 429, 5xx, connection failures and broken streams are retried after a short backoff that honours
 *   Retry-After but never waits longer than maxRetryDelayMs. Nothing is retried once onDelta has been handed part
 *   of the answer, so a receiver never sees an answer start twice.
 * - timeoutMs bounds each attempt as a whole, streaming included (the SDK's timeout stops at the headers).
 * - Every failure becomes an LlmError with a kind and a hint; a caller's abort rejects with the signal's reason
 *   (an AbortError) instead, because it is a decision, not a failure of the model.
 * - No API key is needed for a server on this machine (localhost, 127.0.0.1, ::1), such as Ollama or LM Studio:
 *   the SDK insists on a key, so a placeholder is sent.
 */
import type OpenAI from 'openai';
import { LlmError } from '../errors.js';
import { shallowCopy } from '../shallow-copy.js';
import { toLlmError } from './errors.js';
import { toOpenAIMessages } from './messages.js';
import { attemptSignal, type RetryPolicy, withRetries } from './retry.js';
import { createThinkFilter, stripThink } from './think.js';
import type {
  ChatRequest,
  ChatResult,
  GenerateImageRequest,
  LlmClient,
  LlmMessage,
  TranscribeRequest,
} from './types.js';

type Sdk = typeof import('openai');

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent to local servers that need no key, because the SDK will not send a request without one. */
export const LOCAL_PLACEHOLDER_KEY = 'local-no-key';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface LlmClientOptions {
  apiKey?: string;
  /** Default https://api.openai.com/v1. Most compatible servers want the /v1 suffix. */
  baseUrl?: string;
  model: string;
  temperature?: number;
  /** Sent as max_tokens, which every compatible server understands. */
  maxTokens?: number;
  /** Stream the answer (default true). */
  stream?: boolean;
  /** Bound on one attempt, streaming included (default 60 s). */
  timeoutMs?: number;
  /** Retries of retryable failures (default 1). */
  maxRetries?: number;
  /** First backoff when the server names none, doubled per retry (default 500 ms). */
  retryDelayMs?: number;
  /** Cap on any backoff, Retry-After included (default 2 s). */
  maxRetryDelayMs?: number;
  fetch?: typeof globalThis.fetch;
}

type Answer = Omit<ChatResult, 'latencyMs'>;

/** Whether the base URL points at this machine, where servers like Ollama run without keys. */
export function isLocalBaseUrl(baseUrl: string): boolean {
  try {
    return LOCAL_HOSTS.has(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

/** The longest wait between two tries of one model call, whatever Retry-After says. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 2000;

export function createLlmClient({
  apiKey,
  baseUrl = DEFAULT_BASE_URL,
  model,
  temperature,
  maxTokens,
  stream = true,
  timeoutMs = 60_000,
  maxRetries = 1,
  retryDelayMs = 500,
  maxRetryDelayMs = DEFAULT_MAX_RETRY_DELAY_MS,
  fetch,
}: LlmClientOptions): LlmClient {
  const base = (baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '');
  const configured = Boolean(apiKey) || isLocalBaseUrl(base);
  const policy: RetryPolicy = { maxRetries, baseDelayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs };

  let loading: Promise<{ sdk: Sdk; client: OpenAI }> | undefined;
  function load() {
    if (!configured) {
      throw new LlmError('not_configured', 'No API key is set for the model.', {
        retryable: false,
        hint: 'Set OPENAI_API_KEY (or llm.apiKey). Servers on localhost (Ollama) need none; for another server without keys, any placeholder key works.',
      });
    }
    loading ??= import('openai').then((sdk) => ({
      sdk,
      client: new sdk.OpenAI({
        apiKey: apiKey || LOCAL_PLACEHOLDER_KEY,
        baseURL: base,
        maxRetries: 0,
        timeout: timeoutMs,
        logLevel: 'off',
        ...(fetch ? { fetch } : {}),
      }),
    }));
    return loading;
  }

  /** One attempt under its own timeout, its failure mapped to an LlmError (or the caller's abort rethrown). */
  async function guarded<T>(
    sdk: Sdk,
    operation: string,
    forModel: string,
    outer: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const attempt = attemptSignal(timeoutMs, outer);
    try {
      return await work(attempt.signal);
    } catch (error) {
      if (outer?.aborted && !attempt.timedOut) throw outer.reason;
      throw toLlmError(error, sdk, {
        operation,
        baseUrl: base,
        model: forModel,
        timeoutMs,
        timedOut: attempt.timedOut,
      });
    } finally {
      attempt.dispose();
    }
  }

  function body(forModel: string, messages: LlmMessage[]) {
    return {
      model: forModel,
      messages: toOpenAIMessages(messages),
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
    };
  }

  async function streamed(
    client: OpenAI,
    request: ChatRequest & { model: string },
    signal: AbortSignal,
    deliver: (text: string) => void,
  ): Promise<Answer> {
    const chunks = await client.chat.completions.create(
      { ...body(request.model, request.messages), stream: true, stream_options: { include_usage: true } },
      { signal, timeout: timeoutMs },
    );
    const thinkFilter = createThinkFilter();
    let raw = '';
    let answeredBy: string | undefined;
    let finishReason: string | undefined;
    let usage: ChatResult['usage'];
    for await (const chunk of chunks) {
      answeredBy ||= chunk.model;
      if (chunk.usage)
        usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      const choice = chunk.choices[0];
      // reasoning_content (DeepSeek) and reasoning (OpenRouter) deltas are skipped: only content is the answer.
      const text = choice?.delta?.content;
      if (text) {
        raw += text;
        deliver(thinkFilter.push(text));
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
    }
    // The SDK ends an aborted stream quietly, as if it were complete; it is not.
    if (signal.aborted) throw signal.reason;
    deliver(thinkFilter.end());
    return finish(raw, answeredBy || request.model, finishReason, usage);
  }

  async function whole(
    client: OpenAI,
    request: ChatRequest & { model: string },
    signal: AbortSignal,
    deliver: (text: string) => void,
  ): Promise<Answer> {
    const completion = await client.chat.completions.create(
      { ...body(request.model, request.messages), stream: false },
      { signal, timeout: timeoutMs },
    );
    const choice = completion.choices[0];
    const usage = completion.usage
      ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens }
      : undefined;
    const answer = finish(
      choice?.message?.content ?? '',
      completion.model || request.model,
      choice?.finish_reason,
      usage,
    );
    deliver(answer.text);
    return answer;
  }

  return {
    configured,
    model,
    baseUrl: base,

    async chat(request: ChatRequest): Promise<ChatResult> {
      const started = performance.now();
      const { sdk, client } = await load();
      const forModel = request.model ?? model;
      let delivered = false;
      const deliver = (text: string) => {
        if (!text || !request.onDelta) return;
        delivered = true;
        request.onDelta(text);
      };
      const answer = await withRetries(
        () =>
          guarded(sdk, 'chat', forModel, request.signal, (signal) =>
            (stream ? streamed : whole)(client, { ...request, model: forModel }, signal, deliver),
          ),
        policy,
        { ...(request.signal ? { signal: request.signal } : {}), mayRetry: () => !delivered },
      );
      return shallowCopy(answer, { latencyMs: performance.now() - started });
    },

    async transcribe({ audio, filename, model: forModel = 'whisper-1', language, signal }: TranscribeRequest) {
      const { sdk, client } = await load();
      return withRetries(
        () =>
          guarded(sdk, 'transcription', forModel, signal, async (attempt) => {
            const file = await sdk.toFile(audio, filename);
            const result = await client.audio.transcriptions.create(
              { file, model: forModel, ...(language ? { language } : {}) },
              { signal: attempt, timeout: timeoutMs },
            );
            return result.text.trim();
          }),
        policy,
        signal ? { signal } : {},
      );
    },

    async generateImage({ prompt, model: forModel = 'dall-e-3', size, signal }: GenerateImageRequest) {
      const { sdk, client } = await load();
      return withRetries(
        () =>
          guarded(sdk, 'image generation', forModel, signal, async (attempt) => {
            const result = await client.images.generate(
              {
                prompt,
                model: forModel,
                n: 1,
                ...(size ? { size } : {}),
                // gpt-image models always answer base64 and reject the parameter; DALL·E needs it.
                ...(forModel.startsWith('dall-e') ? { response_format: 'b64_json' as const } : {}),
              },
              { signal: attempt, timeout: timeoutMs },
            );
            const b64 = result.data?.[0]?.b64_json;
            if (!b64) {
              throw new LlmError('bad_request', `${base} answered the image request without b64_json image data.`, {
                retryable: false,
                hint: 'Use a model and server that return base64 images (OpenAI images API compatible).',
              });
            }
            return Buffer.from(b64, 'base64');
          }),
        policy,
        signal ? { signal } : {},
      );
    },
  };
}

/** The final answer: reasoning removed, trimmed, and never empty (an empty answer is a failure the user hears of). */
function finish(
  raw: string,
  model: string,
  finishReason: string | null | undefined,
  usage: ChatResult['usage'],
): Answer {
  const text = stripThink(raw);
  if (!text) {
    if (finishReason === 'content_filter') {
      throw new LlmError('bad_request', `${model} withheld its answer (content filter).`, {
        retryable: false,
        hint: "The provider's content filter blocked the answer; nothing to fix in the setup.",
      });
    }
    if (finishReason === 'length') {
      throw new LlmError('stream', `${model} used up llm.maxTokens before answering.`, {
        retryable: false,
        hint: 'Raise llm.maxTokens: reasoning models can spend the whole budget thinking.',
      });
    }
    throw new LlmError('stream', `${model} returned an empty answer.`, {
      hint: 'Usually transient; if it persists, check the model name and the server logs.',
    });
  }
  return { text, model, ...(finishReason ? { finishReason } : {}), ...(usage ? { usage } : {}) };
}
