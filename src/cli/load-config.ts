/**
 * Builds the CLI's configuration from its sources, highest first: flags > environment > .env > wechat-gpt.config.json
 * > defaults, then checks it whole against the schema. Remembers where each value came from; a ConfigError lists
 * every wrong setting at once, each with where it was written and how to fix it.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigProblem } from '../config/problems.js';
import type { ConfigFileOutput, ServeSettingsOutput } from '../config/types.js';
import type { WechatGptConfig } from '../config.js';
import { ConfigError, type SettingProblem } from '../errors.js';
import { displayPath, readConfigFile } from './config-file.js';
import { parseDotenv } from './dotenv.js';
import { CONFIG_FILE_NAME, DOTENV_FILE_NAME, isMissingFile } from './files.js';
import { getPath, leafKeys, setPath } from './object-paths.js';
import {
  flagName,
  SETTINGS,
  type SettingKey,
  type SettingSource,
  type SettingSpec,
  type TunnelMode,
} from './settings.js';

/** The library's settings as the CLI's sources give them, checked, defaults filled; the Token may still be missing. */
export type CliConfig = Omit<ConfigFileOutput, 'serve' | '$schema'>;

/** How `serve` runs: not part of the library's config. */
export type ServeSettings = Omit<ServeSettingsOutput, 'tunnel'> & { path: string; tunnel: TunnelMode };

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

/** The schema and its checker, with zod: loaded when a configuration is read, so `--help` starts without them. */
async function schemaTools() {
  const [{ checkConfig }, { configFileSchema }, { schemaAt, valueKind }] = await Promise.all([
    import('../config/problems.js'),
    import('../config/schema.js'),
    import('../config/walk.js'),
  ]);
  return {
    check: (raw: unknown) => checkConfig(configFileSchema, raw),
    /** Text from a flag or the environment, as the schema wants it: numbers and booleans converted when they read as one. */
    fromText(key: string, text: string): unknown {
      const field = schemaAt(configFileSchema, key.split('.'));
      const kind = field ? valueKind(field) : 'string';
      const trimmed = text.trim();
      if (kind === 'number' && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
      if (kind === 'boolean' && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
      return kind === 'string' ? text : trimmed;
    },
  };
}

export async function loadConfig({ cwd, env, flags = {}, configFile }: LoadConfigOptions): Promise<LoadedConfig> {
  const { check, fromText } = await schemaTools();
  const warnings: string[] = [];
  const files: LoadedConfig['files'] = {};

  const file = await readConfigFile(cwd, configFile);
  if (file) files.config = file.path;
  const fileLabel = file ? displayPath(cwd, file.path) : CONFIG_FILE_NAME;

  const dotenv = await readDotenv(cwd, warnings);
  if (dotenv) files.dotenv = dotenv.path;

  const { $schema: _schema, ...fileValues } = file?.values ?? {};
  const raw = structuredClone(fileValues);
  const sources: Record<string, SettingSource> = {};
  for (const leaf of leafKeys(raw)) sources[leaf] = 'config file';

  for (const spec of SETTINGS) {
    // An empty value counts as unset at every level, so `OPENAI_API_KEY=` in .env is a placeholder, not a key.
    if (getPath(raw, spec.key) === '') {
      setPath(raw, spec.key, undefined);
      delete sources[spec.key];
    }
    const found = pickRaw(spec, { flags, env, dotenv: dotenv?.values ?? {} });
    if (found) {
      setPath(raw, spec.key, fromText(spec.key, found.raw));
      sources[spec.key] = found.source;
    } else if (sources[spec.key] === 'config file' && spec.secret && spec.env) {
      warnings.push(
        `${spec.key} is set in ${fileLabel}; move it to .env as ${spec.env} (config files are often committed).`,
      );
    }
  }
  if (flags.tunnel !== undefined) {
    setPath(raw, 'serve.tunnel', flags.tunnel);
    sources['serve.tunnel'] = 'flag';
  }

  const checked = check(raw);
  if (!checked.ok) {
    throw ConfigError.of(checked.problems.map((problem) => describeProblem(problem, sources, fileLabel)));
  }
  const { serve, $schema: _ignored, ...config } = checked.value;
  const cli: ServeSettings = { ...serve, path: config.path };
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
  layers: { flags: FlagValues; env: Record<string, string | undefined>; dotenv: Record<string, string> },
): Found | undefined {
  const flag = layers.flags[spec.key];
  if (spec.flag && typeof flag === 'string' && flag !== '') return { raw: flag, source: 'flag' };
  if (!spec.env) return undefined;
  const fromEnv = layers.env[spec.env];
  if (fromEnv) return { raw: fromEnv, source: 'env' };
  const fromDotenv = layers.dotenv[spec.env];
  if (fromDotenv) return { raw: fromDotenv, source: '.env' };
  return undefined;
}

/** The problem with its source: the value's own, or (for a value inside a list or object) its nearest parent's. */
function describeProblem(
  problem: ConfigProblem,
  sources: Record<string, SettingSource>,
  fileLabel: string,
): SettingProblem {
  const parts = problem.setting.replace(/\[\d+\]/g, '').split('.');
  let source: SettingSource | undefined;
  for (let n = parts.length; n > 0 && !source; n--) source = sources[parts.slice(0, n).join('.')];
  source ??= 'config file';
  const spec = SETTINGS.find((s) => s.key === problem.setting);
  const where = describeWhere(problem.setting, spec, source, fileLabel);
  return {
    setting: problem.setting,
    source,
    // `PORT in .env must be…`; a validator's own sentence (`Token must be…`) after `Invalid WECHAT_TOKEN in .env:`.
    message: /^[a-z]/.test(problem.problem) ? `${where} ${problem.problem}.` : `Invalid ${where}: ${problem.problem}`,
    hint: problem.hint ?? genericFix(source, fileLabel),
  };
}

function genericFix(source: SettingSource, fileLabel: string): string {
  if (source === 'config file') {
    return `Fix it in ${fileLabel}; its "$schema" line gives your editor completion and checks as you type.`;
  }
  const place = { flag: 'the command line', env: 'the environment', '.env': '.env' }[source as string] ?? source;
  return `Fix it in ${place}; \`npx wechat-gpt config\` shows every setting and where it came from.`;
}

/** How the user wrote the setting in that source: `--port`, `PORT in .env`, `serve.port in wechat-gpt.config.json`. */
export function describeWhere(
  key: string,
  spec: SettingSpec | undefined,
  source: SettingSource,
  fileLabel = CONFIG_FILE_NAME,
): string {
  switch (source) {
    case 'flag':
      return spec?.flag ? flagName(spec.flag) : key === 'serve.tunnel' ? '--tunnel' : key;
    case 'env':
      return `${spec?.env ?? key} in the environment`;
    case '.env':
      return `${spec?.env ?? key} in .env`;
    case 'config file':
      return `${key} in ${fileLabel}`;
    default:
      return `${key} (${source})`;
  }
}
