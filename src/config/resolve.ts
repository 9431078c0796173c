/** The library's entry to the schema: check a WechatGptConfig whole, and fill in every default. */
import { ConfigError } from '../errors.js';
import { type ConfigProblem, checkConfig } from './problems.js';
import { librarySchema } from './schema.js';
import type { ResolvedConfig, WechatGptConfig } from './types.js';

/** Empty strings in these settings mean "not set" (a blank line in .env, an empty field in a form). */
const BLANK_IS_UNSET = { wechat: ['encodingAesKey', 'appId', 'appSecret'], llm: ['apiKey', 'baseUrl'] } as const;

function withoutBlanks(config: WechatGptConfig): Record<string, unknown> {
  const { store: _store, fetch: _fetch, now: _now, logger: _logger, ...settings } = config;
  const copy: Record<string, unknown> = { ...settings };
  for (const [section, keys] of Object.entries(BLANK_IS_UNSET)) {
    const values = copy[section];
    if (typeof values !== 'object' || values === null) continue;
    const cleaned: Record<string, unknown> = { ...values };
    for (const key of keys) if (cleaned[key] === '') delete cleaned[key];
    copy[section] = cleaned;
  }
  return copy;
}

/** `llm.maxTokens: must be at least 1 (got 0).` as a SettingProblem of createWechatGpt's argument. */
function asSettingProblem(problem: ConfigProblem) {
  return {
    setting: problem.setting,
    source: 'config object',
    message: `${problem.setting} ${problem.problem}.`,
    ...(problem.hint ? { hint: problem.hint } : {}),
  };
}

/** Throws a ConfigError listing every setting the schema refuses. */
export function validateConfig(config: WechatGptConfig): void {
  resolveConfig(config);
}

/** Checks the whole configuration (a ConfigError lists every problem) and fills in every default. */
export function resolveConfig(config: WechatGptConfig): ResolvedConfig {
  const checked = checkConfig(librarySchema, withoutBlanks(config));
  if (!checked.ok) throw ConfigError.of(checked.problems.map(asSettingProblem));
  const { llm } = checked.value;
  return { ...checked.value, llm: { ...llm, visionModel: llm.visionModel ?? llm.model } };
}
