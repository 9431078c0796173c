/** The configuration: its schema, types, defaults and the library's resolver. */
export { resolveConfig, validateConfig } from './resolve.js';
export { configFileSchema, librarySchema } from './schema.js';
export { DEFAULT_SYSTEM_PROMPT, defaultCommands, defaultTexts } from './texts.js';
export type {
  DeliveryMode,
  KeywordRule,
  LogFields,
  Logger,
  ResolvedConfig,
  RuleReply,
  Texts,
  WechatGptConfig,
} from './types.js';
