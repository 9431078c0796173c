/** The configuration's TypeScript types: inferred from the schema, plus the objects that are injected, not configured. */
import type * as z from 'zod';
import type { Store } from '../store/types.js';
import type { configFileSchema, keywordRuleSchema, librarySchema, ruleReplySchema } from './schema.js';

type SettingsInput = z.input<typeof librarySchema>;
type SettingsOutput = z.output<typeof librarySchema>;

export type DeliveryMode = SettingsOutput['delivery'];
/** A reply a keyword rule (or a custom handler) gives. */
export type RuleReply = z.output<typeof ruleReplySchema>;
export type KeywordRule = z.output<typeof keywordRuleSchema>;
export type Texts = SettingsOutput['texts'];

export type LogFields = Record<string, unknown>;
/** pino-compatible: `logger.info({fields}, 'message')`. */
export interface Logger {
  debug(fields: LogFields, message?: string): void;
  info(fields: LogFields, message?: string): void;
  warn(fields: LogFields, message?: string): void;
  error(fields: LogFields, message?: string): void;
  /** pino has it: lets callers skip building log fields nobody will see. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

/** What users pass to createWechatGpt: every setting optional but the Token, plus what tests and embedders inject. */
export type WechatGptConfig = Omit<SettingsInput, 'wechat'> & {
  wechat: NonNullable<SettingsInput['wechat']>;
  /** Where state lives. Default: a bounded in-memory store. */
  store?: Store;
  /** Injected for tests and embedding. */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  logger?: Logger;
};

/** The configuration with every default filled in. */
export type ResolvedConfig = Omit<SettingsOutput, 'llm'> & {
  llm: SettingsOutput['llm'] & { visionModel: string };
};

/** wechat-gpt.config.json as written (every setting optional). */
export type ConfigFileInput = z.input<typeof configFileSchema>;
/** wechat-gpt.config.json and the CLI's other sources, checked, with defaults. */
export type ConfigFileOutput = z.output<typeof configFileSchema>;
export type ServeSettingsOutput = ConfigFileOutput['serve'];
