/** The model client: names only. */
export {
  createLlmClient,
  DEFAULT_BASE_URL,
  isLocalBaseUrl,
  type LlmClientOptions,
  LOCAL_PLACEHOLDER_KEY,
} from './client.js';
export { parseRetryAfter } from './errors.js';
export { createThinkFilter, stripThink, type ThinkFilter } from './think.js';
export type {
  ChatRequest,
  ChatResult,
  GenerateImageRequest,
  LlmClient,
  LlmContentPart,
  LlmMessage,
  TranscribeRequest,
} from './types.js';
