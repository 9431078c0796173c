/** `wechat-gpt config`: the effective configuration, secrets masked, with where each value came from. */
import { Command } from 'commander';
import { resolveConfig, validateConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { type CliContext, printResult } from '../context.js';
import { type LoadedConfig, loadConfig } from '../load-config.js';
import { getPath, leafKeys } from '../object-paths.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import { SECRET_KEYS, SETTINGS, type SettingSource, type SettingSpec, settingByKey } from '../settings.js';
import { withStableKeys } from '../state.js';
import { stripAnsi, type Theme } from '../theme.js';
import { hideUrlPassword } from '../url-password.js';

export interface ConfigSetting {
  /** Masked when secret (unless --show-secrets); null when not set. */
  value: unknown;
  source: SettingSource | 'not set';
  env?: string;
  secret: boolean;
}

export interface ConfigReport {
  files: { dotenv: string | null; config: string | null };
  /** By dotted key, in display order: `settings['llm.model'].source`. */
  settings: Record<string, ConfigSetting>;
  warnings: string[];
}

interface ConfigOptions extends ConfigFlagOptions {
  json?: boolean;
  showSecrets?: boolean;
}

const WHY_SET: Record<string, string> = {
  'wechat.token': 'serve generates one; `npx wechat-gpt init` writes one to .env',
  'wechat.encodingAesKey': 'needed for 安全模式; `npx wechat-gpt init` writes one to .env',
  'wechat.appId': 'needed for 安全模式 and for pushing late answers',
  'wechat.appSecret': 'needed to push late answers (verified accounts)',
  'llm.apiKey': 'until it is set the bot answers with a notice',
  'llm.baseUrl': 'unset means OpenAI',
  'serve.publicUrl': 'only when you expose the port yourself',
  'serve.domain': 'unset means a new random ngrok URL at each start',
  'serve.ngrokAuthtoken': 'needed for the ngrok tunnel',
  'serve.redisUrl': 'unset means state lives in memory',
};

export function configCommand(ctx: CliContext): Command {
  const command = new Command('config')
    .description('print the effective configuration, secrets masked, and where each value came from')
    .option('--json', 'print JSON (for scripts)')
    .option('--show-secrets', 'print secrets in full (careful: your terminal may be recorded)');
  addConfigOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ npx wechat-gpt config
  $ npx wechat-gpt config --json
  $ OPENAI_MODEL=deepseek-chat npx wechat-gpt config --base-url https://api.deepseek.com/v1`,
  );
  return command.action(async (options: ConfigOptions) => {
    const loaded = await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    });
    const withState = await withStableKeys(loaded, { cwd: ctx.cwd, generate: false });
    const { maskSecret } = await import('../../logger.js');
    const report = collectConfig(withState, { showSecrets: options.showSecrets === true, maskSecret });
    for (const warning of report.warnings) ctx.logger.warn(warning);
    printResult(ctx, report, { json: options.json === true, text: (r) => formatConfig(r, ctx.theme) });
  });
}

export function collectConfig(
  loaded: LoadedConfig,
  { showSecrets, maskSecret }: { showSecrets: boolean; maskSecret: (value: string) => string },
): ConfigReport {
  const { config, cli, sources } = loaded;
  const complete = { ...config, wechat: { ...config.wechat, token: config.wechat.token ?? '' } };
  const warnings = [...loaded.warnings];
  if (config.wechat.token) {
    try {
      validateConfig(complete);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      warnings.push(`${error.setting}: ${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    }
  }
  const resolved = resolveConfig(complete, { validate: false });
  const values: Record<string, unknown> = { ...resolved, serve: { ...cli, path: undefined } };

  const tableKeys = (SETTINGS as readonly SettingSpec[]).map((s) => s.key);
  tableKeys.splice(tableKeys.indexOf('serve.publicUrl') + 1, 0, 'serve.tunnel');
  const keys = [...new Set([...tableKeys, ...leafKeys(values)])];

  const settings: Record<string, ConfigSetting> = {};
  for (const key of keys) {
    const spec = settingByKey(key);
    const raw = getPath(values, key);
    const isSet = raw !== undefined && raw !== '';
    const secret = SECRET_KEYS.has(key);
    const value = isSet ? shownValue(raw, { secret, showSecrets, maskSecret }) : null;
    settings[key] = {
      value,
      source: isSet ? (sources[key] ?? 'default') : 'not set',
      ...(spec?.env ? { env: spec.env } : {}),
      secret,
    };
  }
  return {
    files: { dotenv: loaded.files.dotenv ?? null, config: loaded.files.config ?? null },
    settings,
    warnings,
  };
}

function shownValue(
  raw: unknown,
  { secret, showSecrets, maskSecret }: { secret: boolean; showSecrets: boolean; maskSecret: (value: string) => string },
): unknown {
  if (showSecrets) return raw;
  return secret ? maskSecret(String(raw)) : hideUrlPassword(raw);
}

const SECTIONS: Array<{ title: string; note?: string; test: (key: string) => boolean }> = [
  { title: 'WeChat', note: '公众平台 → 开发 → 基本配置', test: (k) => k.startsWith('wechat.') },
  { title: 'Model', test: (k) => k.startsWith('llm.') },
  { title: 'Serve', test: (k) => k.startsWith('serve.') || k === 'path' },
  { title: 'Bot', test: () => true },
];

export function formatConfig(report: ConfigReport, theme: Theme): string {
  const read = [report.files.dotenv && '.env', report.files.config && shortName(report.files.config)].filter(Boolean);
  const lines = [
    `${theme.heading('wechat-gpt configuration')} ${theme.dim('(flags > environment > .env > wechat-gpt.config.json > defaults)')}`,
    theme.dim(
      read.length ? `read: ${read.join(', ')}` : 'read: no .env, no wechat-gpt.config.json (run `npx wechat-gpt init`)',
    ),
  ];
  // Built-in texts are long and Chinese; list only the ones the config file changes.
  const all = Object.entries(report.settings).map(([key, setting]) => ({ key, ...setting }));
  const hiddenTexts = all.filter((s) => s.key.startsWith('texts.') && s.source === 'default').length;
  const shown = all.filter((s) => !(s.key.startsWith('texts.') && s.source === 'default'));
  const keyWidth = Math.max(...shown.map((s) => s.key.length));
  const placed = new Set<string>();
  for (const section of SECTIONS) {
    const rows = shown.filter((s) => !placed.has(s.key) && section.test(s.key));
    if (rows.length === 0) continue;
    lines.push('', `${theme.heading(section.title)}${section.note ? `  ${theme.dim(section.note)}` : ''}`);
    for (const row of rows) {
      placed.add(row.key);
      lines.push(
        `  ${theme.accent(row.key.padEnd(keyWidth))}  ${formatSource(row, theme)}  ${formatValue(row, theme)}`.trimEnd(),
      );
    }
    if (section.title === 'Bot' && hiddenTexts > 0) {
      lines.push(
        `  ${theme.accent('texts.*'.padEnd(keyWidth))}  ${theme.dim('default    ')}  ${theme.dim(`${hiddenTexts} built-in texts (set "texts" in wechat-gpt.config.json to change them)`)}`,
      );
    }
  }
  return lines.join('\n');
}

function formatSource(row: ConfigSetting & { key: string }, theme: Theme): string {
  const text = row.source.padEnd(11);
  return row.source === 'not set' ? theme.warn(text) : theme.dim(text);
}

function formatValue(row: ConfigSetting & { key: string }, theme: Theme): string {
  if (row.value === null) {
    const why = WHY_SET[row.key];
    const how = row.env ? `set ${row.env}` : '';
    return theme.dim([how, why].filter(Boolean).join(': '));
  }
  if (row.secret) return theme.secret(String(row.value));
  return withDuration(row.key, row.value, theme);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return truncate(JSON.stringify(value));
    return `${value.length} ${value.length === 1 ? 'rule' : 'rules'}`;
  }
  if (typeof value === 'string') return truncate(value.replace(/\r?\n/g, '⏎'));
  return String(value);
}

/** `1800000` → `1800000 (30 min)`: the file wants milliseconds, people think in minutes. */
function withDuration(key: string, value: unknown, theme: Theme): string {
  const text = describeValue(value);
  if (typeof value !== 'number' || !key.endsWith('Ms') || value < 1000) return text;
  const units: Array<[number, string]> = [
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const [size, unit] = units.find(([size]) => value % size === 0 || value >= size * 10) ?? [1000, 's'];
  const amount = Number((value / size).toFixed(1));
  return `${text} ${theme.dim(`(${amount} ${unit})`)}`;
}

/** Cuts by display width: CJK characters take two columns. */
function truncate(text: string, width = 60): string {
  let used = 0;
  let out = '';
  for (const char of stripAnsi(text)) {
    const w = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char)
      ? 2
      : 1;
    if (used + w > width - 1) return `${out}…`;
    out += char;
    used += w;
  }
  return out;
}

function shortName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}
