/** What `init` writes: the .env lines (generated secrets and commented placeholders) and the starter config file. */
import { relative, sep } from 'node:path';
import { DEFAULT_SYSTEM_PROMPT, defaultTexts } from '../config.js';
import { formatDotenvLine } from './dotenv.js';
import { SCHEMA_PATH } from './files.js';
import { SETTINGS, type SettingSpec } from './settings.js';

/** The order of .env entries, and the example shown in each commented placeholder. */
export const DOTENV_ENTRIES: ReadonlyArray<{ env: string; example?: string }> = [
  { env: 'WECHAT_TOKEN' },
  { env: 'WECHAT_AES_KEY' },
  { env: 'WECHAT_APP_ID', example: 'wx1234567890abcdef' },
  { env: 'WECHAT_APP_SECRET' },
  { env: 'OPENAI_API_KEY' },
  { env: 'OPENAI_BASE_URL', example: 'https://api.deepseek.com/v1' },
  { env: 'OPENAI_MODEL', example: 'gpt-4o-mini' },
  { env: 'NGROK_AUTHTOKEN' },
  { env: 'NGROK_DOMAIN', example: 'example.ngrok-free.app' },
  { env: 'REDIS_URL', example: 'redis://127.0.0.1:6379' },
  { env: 'PORT', example: '3000' },
  { env: 'WECHAT_API_BASE', example: 'https://api.weixin.qq.com' },
];

/** The keys `init` generates; everything else is a placeholder the user fills in. */
export const GENERATED_KEYS = ['WECHAT_TOKEN', 'WECHAT_AES_KEY'] as const;
export type GeneratedKey = (typeof GENERATED_KEYS)[number];

export const DOTENV_HEADER = [
  '# wechat-gpt settings. Secret: keep it out of git (init adds it to .gitignore) and readable only by you (chmod 600).',
  '# Precedence: flags > environment > this file > wechat-gpt.config.json > defaults. Check with `npx wechat-gpt config`.',
  '# Paste WECHAT_TOKEN and WECHAT_AES_KEY into 公众平台 → 开发 → 基本配置 → 服务器配置 (Token, EncodingAESKey).',
];

export function describeEnv(env: string): string {
  return (SETTINGS as readonly SettingSpec[]).find((s) => s.env === env)?.description ?? '';
}

/** A commented explanation and the assignment (or a commented placeholder when there is no value). */
export function dotenvEntry(env: string, value?: string): string[] {
  const example = DOTENV_ENTRIES.find((e) => e.env === env)?.example ?? '';
  return [`# ${describeEnv(env)}`, value === undefined ? `# ${env}=${example}` : formatDotenvLine(env, value)];
}

/**
 * Editors resolve "$schema" relative to the file: a relative path when the package sits inside the project (installed
 * in node_modules), otherwise the published copy of this version.
 */
export function schemaReference(cwd: string, version: string): string {
  const rel = relative(cwd, SCHEMA_PATH);
  if (rel && !rel.startsWith('..') && !rel.includes(`${sep}_npx${sep}`)) return `./${rel.split(sep).join('/')}`;
  return `https://unpkg.com/wechat-gpt@${version}/schema/wechat-gpt.config.schema.json`;
}

export function starterConfig(schema: string): Record<string, unknown> {
  return {
    $schema: schema,
    llm: { systemPrompt: DEFAULT_SYSTEM_PROMPT },
    keywords: [
      {
        match: 'exact',
        pattern: '联系我们',
        reply: { type: 'text', content: '工作时间：周一至周五 9:00–18:00\n邮箱：hello@example.com' },
      },
    ],
    texts: { welcome: defaultTexts.welcome },
  };
}
