/** `wechat-gpt config`: the effective configuration, secrets masked, with where each value came from. */
import { Command } from 'commander';
import { maskSecret, redactUrl } from '../../secrets.js';
import { type CliContext, printResult } from '../context.js';
import { type LoadedConfig, loadConfig } from '../load-config.js';
import { getPath, leafKeys } from '../object-paths.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import { SECRET_KEYS, SETTINGS, type SettingSource, settingByKey } from '../settings.js';
import { withStableKeys } from '../state.js';
import { fitWidth } from '../text-width.js';
import type { Theme } from '../theme.js';

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
    const report = collectConfig(withState, { showSecrets: options.showSecrets === true });
    for (const warning of report.warnings) ctx.logger.warn(warning);
    printResult(ctx, report, { json: options.json === true, text: (r) => formatConfig(r, ctx.theme) });
  });
}

export function collectConfig(loaded: LoadedConfig, { showSecrets }: { showSecrets: boolean }): ConfigReport {
  const { config, cli, sources } = loaded;
  const warnings = [...loaded.warnings];
  if (config.wechat.encodingAesKey && !config.wechat.appId) {
    warnings.push(
      'wechat.encodingAesKey is set but wechat.appId is not: serve answers in 明文模式 until WECHAT_APP_ID is set (encrypted messages carry the AppID).',
    );
  }
  const llm = { ...config.llm, visionModel: config.llm.visionModel ?? config.llm.model };
  const values: Record<string, unknown> = { ...config, llm, serve: { ...cli, path: undefined } };

  // The table's settings first (the order of .env and --help), then every other setting the schema has.
  const keys = [...new Set([...SETTINGS.map((s) => s.key), ...leafKeys(values)])];

  const settings: Record<string, ConfigSetting> = {};
  for (const key of keys) {
    const spec = settingByKey(key);
    const raw = getPath(values, key);
    const isSet = raw !== undefined && raw !== '';
    const secret = SECRET_KEYS.has(key);
    const value = isSet ? shownValue(raw, { secret, showSecrets }) : null;
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

function shownValue(raw: unknown, { secret, showSecrets }: { secret: boolean; showSecrets: boolean }): unknown {
  if (showSecrets) return raw;
  if (secret) return maskSecret(String(raw));
  return typeof raw === 'string' ? redactUrl(raw) : raw;
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
    if (value.every((v) => typeof v === 'string')) return fitWidth(JSON.stringify(value), 60);
    return `${value.length} ${value.length === 1 ? 'rule' : 'rules'}`;
  }
  if (typeof value === 'string') return fitWidth(value.replace(/\r?\n/g, '⏎'), 60);
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

function shortName(path: string): string {
  return path.split(/[\\/]/).at(-1) ?? path;
}
