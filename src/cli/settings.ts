/**
 * The table of settings the CLI reads from flags, the environment and .env: one row each, with its environment name,
 * its flag, whether it is secret, and its description. Made from the schema's metadata (src/config/schema.ts) at
 * build time (settings.generated.ts), so a setting is added in one place and --help starts without zod; the loader,
 * `config`, `init`'s .env, --help and the README table all read this.
 */
import type { ConfigFileInput } from '../config/types.js';
import { SECRET_KEY_LIST, SETTINGS_TABLE } from './settings.generated.js';

export type SettingSource = 'flag' | 'env' | '.env' | 'config file' | 'default' | 'generated' | 'state file';

export type TunnelMode = 'auto' | 'ngrok' | 'none';

/** The dotted name of every leaf setting of the config file: `wechat.token`, `path`, `serve.port`, `texts.welcome`… */
type DottedKeys<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends readonly unknown[]
    ? K
    : NonNullable<T[K]> extends Record<string, unknown>
      ? `${K}.${DottedKeys<NonNullable<T[K]>>}`
      : K;
}[keyof T & string];

export type SettingKey = Exclude<DottedKeys<ConfigFileInput>, '$schema'>;

export interface SettingSpec {
  /** The path in wechat-gpt.config.json and in `config` output. */
  key: SettingKey;
  env?: string;
  /** The commander flag, e.g. `--port <number>`. Secrets have none: flags show up in `ps` and shell history. */
  flag?: string;
  secret: boolean;
  /** One line for --help, `config`, the README and the .env that `init` writes. */
  description: string;
  /** A short description for the flag in a command's --help. */
  flagHelp?: string;
  /** The placeholder in the .env that `init` writes. */
  example?: string;
}

export const SETTINGS: readonly SettingSpec[] = SETTINGS_TABLE;

export function settingByKey(key: string): SettingSpec | undefined {
  return SETTINGS.find((s) => s.key === key);
}

/** The commander attribute of a flag: `--public-url <url>` → publicUrl. */
export function flagAttribute(flag: string): string {
  const long = /--([a-z-]+)/.exec(flag)?.[1] ?? '';
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The long flag alone: `-p, --port <number>` → --port. */
export function flagName(flag: string): string {
  return /--[a-z-]+/.exec(flag)?.[0] ?? flag;
}

/** Every secret setting of the schema (those without an environment variable too). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_KEY_LIST);
