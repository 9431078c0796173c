/** What `init` writes: the .env lines (generated secrets and commented placeholders) and the starter config file. */
import { isAbsolute, relative, sep } from 'node:path';
import { DEFAULT_SYSTEM_PROMPT, defaultTexts } from '../config/texts.js';
import { formatDotenvLine } from './dotenv.js';
import { SCHEMA_PATH } from './files.js';
import { SETTINGS } from './settings.js';

/** The .env entries, in the schema's order: every setting with an environment variable, and its placeholder. */
export const DOTENV_ENTRIES: ReadonlyArray<{ env: string; example?: string }> = SETTINGS.flatMap((s) =>
  s.env ? [{ env: s.env, ...(s.example ? { example: s.example } : {}) }] : [],
);

/** The keys `init` generates; everything else is a placeholder the user fills in. */
export const GENERATED_KEYS = ['WECHAT_TOKEN', 'WECHAT_AES_KEY'] as const;
export type GeneratedKey = (typeof GENERATED_KEYS)[number];

export const DOTENV_HEADER = [
  '# wechat-gpt settings. Secret: keep it out of git (init adds it to .gitignore) and readable only by you (chmod 600).',
  '# Precedence: flags > environment > this file > wechat-gpt.config.json > defaults. Check with `npx wechat-gpt config`.',
  '# Paste WECHAT_TOKEN and WECHAT_AES_KEY into 公众平台 → 开发 → 基本配置 → 服务器配置 (Token, EncodingAESKey).',
];

export function describeEnv(env: string): string {
  return SETTINGS.find((s) => s.env === env)?.description ?? '';
}

/** A commented explanation and the assignment (or a commented placeholder when there is no value). */
export function dotenvEntry(env: string, value?: string): string[] {
  const example = DOTENV_ENTRIES.find((e) => e.env === env)?.example ?? '';
  return [`# ${describeEnv(env)}`, value === undefined ? `# ${env}=${example}` : formatDotenvLine(env, value)];
}

/**
 * Editors resolve "$schema" relative to the file: the path from the project to the schema this package ships
 * (in node_modules, or in a clone), so it works without a published copy and always matches this version.
 */
export function schemaReference(cwd: string): string {
  const rel = relative(cwd, SCHEMA_PATH).split(sep).join('/');
  return rel.startsWith('../') || isAbsolute(rel) ? rel : `./${rel}`;
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
