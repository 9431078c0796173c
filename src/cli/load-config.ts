/**
 * Builds the CLI's configuration from its sources, highest first: flags > environment > .env > wechat-gpt.config.json
 * > defaults. Remembers where each value came from, and says exactly which setting is wrong, where, and how to fix it.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WechatGptConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { displayPath, readConfigFile, sentence } from './config-file.js';
import { parseDotenv } from './dotenv.js';
import { CONFIG_FILE_NAME, DOTENV_FILE_NAME, isMissingFile } from './files.js';
import { getPath, leafKeys, setPath } from './object-paths.js';
import { isPlainObject } from './schema-check.js';
import {
  flagName,
  SETTINGS,
  type SettingKey,
  type SettingSource,
  type SettingSpec,
  type TunnelMode,
} from './settings.js';

/** WechatGptConfig as far as files and the environment can say: JSON-able, and the Token may still be missing. */
export type CliConfig = Omit<WechatGptConfig, 'wechat' | 'store' | 'fetch' | 'now' | 'logger'> & {
  wechat: Partial<WechatGptConfig['wechat']>;
};

/** How `serve` runs: not part of the library's config. */
export interface ServeSettings {
  port: number;
  host: string;
  path: string;
  tunnel: TunnelMode;
  domain?: string;
  publicUrl?: string;
  redisUrl?: string;
  ngrokAuthtoken?: string;
}

export interface LoadedConfig {
  config: CliConfig;
  /** Where each value came from, by dotted key (`llm.model`, `serve.port`, `keywords`…). Unlisted: a default. */
  sources: Record<string, SettingSource>;
  cli: ServeSettings;
  /** The files that were read (absolute paths). */
  files: { dotenv?: string; config?: string };
  /** Things worth telling the operator that do not stop us. */
  warnings: string[];
}

export type FlagValues = Partial<Record<SettingKey, string>> & { tunnel?: TunnelMode };

export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  flags?: FlagValues;
  /** An explicit config file (--config); unlike the default one, it must exist. */
  configFile?: string;
}

export const SERVE_DEFAULTS = { port: 3000, host: '0.0.0.0', path: '/wechat', tunnel: 'auto' } as const;

const SECRET_ENV: Record<string, string> = Object.fromEntries(
  (SETTINGS as readonly SettingSpec[]).filter((s) => s.secret && s.env).map((s) => [s.key, s.env as string]),
);

export async function loadConfig({ cwd, env, flags = {}, configFile }: LoadConfigOptions): Promise<LoadedConfig> {
  const warnings: string[] = [];
  const files: LoadedConfig['files'] = {};

  const file = await readConfigFile(cwd, configFile);
  if (file) files.config = file.path;
  const fileValues = file?.values ?? {};
  const fileLabel = file ? displayPath(cwd, file.path) : CONFIG_FILE_NAME;

  const dotenv = await readDotenv(cwd, warnings);
  if (dotenv) files.dotenv = dotenv.path;

  const sources: Record<string, SettingSource> = {};
  const { serve: fileServe, $schema: _schema, ...rest } = fileValues;
  for (const leaf of leafKeys(rest)) sources[leaf] = 'config file';
  for (const leaf of leafKeys({ serve: fileServe })) sources[leaf] = 'config file';

  const config = structuredClone(rest) as CliConfig;
  config.wechat ??= {};
  const resolved: Record<string, string | number> = {};

  for (const spec of SETTINGS as readonly SettingSpec[]) {
    const found = pickRaw(spec, { flags, env, dotenv: dotenv?.values ?? {}, fileValues });
    if (!found) continue;
    const parsed = spec.parse(found.raw);
    if (!parsed.ok) {
      throw new ConfigError(
        spec.key,
        `Invalid ${describeWhere(spec, found.source, fileLabel)}: ${sentence(parsed.problem)}`,
        {
          source: found.source,
          hint: parsed.hint,
        },
      );
    }
    resolved[spec.key] = parsed.value;
    sources[spec.key] = found.source;
    if (found.source === 'config file' && spec.secret && SECRET_ENV[spec.key]) {
      warnings.push(
        `${spec.key} is set in ${fileLabel}; move it to .env as ${SECRET_ENV[spec.key]} (config files are often committed).`,
      );
    }
    if (!spec.key.startsWith('serve.')) setPath(config as Record<string, unknown>, spec.key, parsed.value);
  }

  const tunnel = resolveTunnel(flags.tunnel, fileServe, sources);
  const cli: ServeSettings = {
    port: (resolved['serve.port'] as number | undefined) ?? SERVE_DEFAULTS.port,
    host: (resolved['serve.host'] as string | undefined) ?? SERVE_DEFAULTS.host,
    path: (resolved.path as string | undefined) ?? SERVE_DEFAULTS.path,
    tunnel,
  };
  for (const key of ['domain', 'publicUrl', 'redisUrl', 'ngrokAuthtoken'] as const) {
    const value = resolved[`serve.${key}`];
    if (typeof value === 'string') cli[key] = value;
  }
  for (const key of ['serve.port', 'serve.host', 'path', 'serve.tunnel']) sources[key] ??= 'default';

  return { config, sources, cli, files, warnings };
}

/** The library's config, once a Token is known (configured, or from withStableKeys). */
export function toWechatGptConfig(loaded: LoadedConfig): WechatGptConfig {
  const { token } = loaded.config.wechat;
  if (!token) {
    throw new ConfigError('wechat.token', 'WECHAT_TOKEN is not set.', {
      source: 'default',
      hint: 'Run `npx wechat-gpt init` to write one to .env, or set WECHAT_TOKEN to the Token of 服务器配置.',
    });
  }
  return { ...loaded.config, wechat: { ...loaded.config.wechat, token } };
}

async function readDotenv(cwd: string, warnings: string[]) {
  const path = join(cwd, DOTENV_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw new ConfigError('.env', `Cannot read .env: ${(error as Error).message}`, {
      source: '.env',
      hint: 'Check the permissions of .env (it should be readable by you: chmod 600 .env).',
      cause: error,
    });
  }
  const { values, invalidLines } = parseDotenv(text);
  for (const line of invalidLines) warnings.push(`Ignored line ${line} of .env: it is not KEY=value.`);
  if (process.platform !== 'win32') {
    const { mode } = await stat(path);
    if (mode & 0o077) warnings.push('.env can be read by other users of this machine; run `chmod 600 .env`.');
  }
  return { path, values };
}

type Found = { raw: string; source: SettingSource };

function pickRaw(
  spec: SettingSpec,
  layers: {
    flags: FlagValues;
    env: Record<string, string | undefined>;
    dotenv: Record<string, string>;
    fileValues: Record<string, unknown>;
  },
): Found | undefined {
  // An empty value counts as unset at every level, so `OPENAI_API_KEY=` in .env is a placeholder, not a key.
  const flag = layers.flags[spec.key as SettingKey];
  if (spec.flag && typeof flag === 'string' && flag !== '') return { raw: flag, source: 'flag' };
  if (spec.env) {
    const fromEnv = layers.env[spec.env];
    if (fromEnv) return { raw: fromEnv, source: 'env' };
    const fromDotenv = layers.dotenv[spec.env];
    if (fromDotenv) return { raw: fromDotenv, source: '.env' };
  }
  const fromFile = getPath(layers.fileValues, spec.key);
  if (fromFile !== undefined && fromFile !== '') return { raw: String(fromFile), source: 'config file' };
  return undefined;
}

function resolveTunnel(
  flag: TunnelMode | undefined,
  fileServe: unknown,
  sources: Record<string, SettingSource>,
): TunnelMode {
  if (flag !== undefined) {
    sources['serve.tunnel'] = 'flag';
    return flag;
  }
  const fromFile = isPlainObject(fileServe) ? fileServe.tunnel : undefined;
  if (fromFile === 'auto' || fromFile === 'ngrok' || fromFile === 'none') return fromFile;
  return SERVE_DEFAULTS.tunnel;
}

/** How the user wrote the setting in that source: `--port`, `PORT in .env`, `serve.port in wechat-gpt.config.json`. */
export function describeWhere(spec: SettingSpec, source: SettingSource, fileLabel = CONFIG_FILE_NAME): string {
  switch (source) {
    case 'flag':
      return spec.flag ? flagName(spec.flag) : spec.key;
    case 'env':
      return `${spec.env} in the environment`;
    case '.env':
      return `${spec.env} in .env`;
    case 'config file':
      return `${spec.key} in ${fileLabel}`;
    default:
      return `${spec.key} (${source})`;
  }
}
