/** The model client's contract: what the bot sends to an OpenAI-compatible model and what comes back. */

export type LlmContentPart = { type: 'text'; text: string } | { type: 'image_url'; imageUrl: string };

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | LlmContentPart[];
}

export interface ChatRequest {
  messages: LlmMessage[];
  /** Default: the client's model. */
  model?: string;
  /** Aborting rejects the call with the signal's reason (an AbortError), never with an LlmError. */
  signal?: AbortSignal;
  /**
   * Receives the visible answer as it streams (reasoning and <think> blocks held back). Once a delta has been
   * delivered the call is not retried, so the receiver never sees an answer start twice.
   */
  onDelta?: (text: string) => void;
}

export interface ChatResult {
  /** The answer with <think>…</think> blocks and reasoning removed, trimmed. Never empty. */
  text: string;
  /** The model that answered, as the server named it. */
  model: string;
  finishReason?: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** From the call to the answer, retries included. */
  latencyMs: number;
}

export interface TranscribeRequest {
  audio: Buffer;
  /** The file name tells the server the format (voice.amr, voice.mp3…). */
  filename: string;
  /** Default whisper-1. */
  model?: string;
  /** A hint of the spoken language (ISO-639-1, e.g. zh). */
  language?: string;
  signal?: AbortSignal;
}

export interface GenerateImageRequest {
  prompt: string;
  /** Default dall-e-3. */
  model?: string;
  size?: '256x256' | '512x512' | '1024x1024' | '1792x1024' | '1024x1792' | '1536x1024' | '1024x1536';
  signal?: AbortSignal;
}

export interface LlmClient {
  /** False without an API key (and a non-local base URL): chat then throws LlmError 'not_configured'. */
  readonly configured: boolean;
  readonly model: string;
  readonly baseUrl: string;
  chat(request: ChatRequest): Promise<ChatResult>;
  /** Speech to text (POST /audio/transcriptions). */
  transcribe(request: TranscribeRequest): Promise<string>;
  /** One image (POST /images/generations, b64_json), as PNG bytes. */
  generateImage(request: GenerateImageRequest): Promise<Buffer>;
}
