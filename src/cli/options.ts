/** The configuration flags shared by commands that load the configuration (config, serve, simulate, verify). */
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import type { FlagValues } from './load-config.js';
import { flagAttribute, SETTINGS, type SettingKey, type SettingSpec, type TunnelMode } from './settings.js';

export interface ConfigFlagOptions {
  config?: string;
  tunnel?: boolean | string;
  [attribute: string]: unknown;
}

export interface ConfigOptionsSelection {
  /** Only these settings get a flag (default: every setting that has one). */
  keys?: readonly SettingKey[];
  /** Add --tunnel [mode] and --no-tunnel (default true). */
  tunnel?: boolean;
  /** Help texts that read better for this command (simulate and verify talk to a server, they do not run one). */
  help?: Partial<Record<SettingKey, string>>;
}

const TUNNEL_MODES: readonly TunnelMode[] = ['auto', 'ngrok', 'none'];

/**
 * Adds `--config` and a flag for every non-secret setting. Descriptions name the environment variable; no commander
 * defaults or `.env()`, because the loader decides precedence and records sources.
 */
export function addConfigOptions(
  command: Command,
  { keys, tunnel = true, help = {} }: ConfigOptionsSelection = {},
): Command {
  command.option('-c, --config <file>', 'the config file (default: wechat-gpt.config.json)');
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (!spec.flag) continue;
    if (keys && !(keys as readonly string[]).includes(spec.key)) continue;
    const text = help[spec.key as SettingKey] ?? spec.flagHelp ?? spec.description;
    command.option(spec.flag, `${text}${spec.env ? ` (env: ${spec.env})` : ''}`);
  }
  if (tunnel) {
    command.option(
      '--tunnel [auto|ngrok|none]',
      'auto (the default): an ngrok tunnel when NGROK_AUTHTOKEN is set and no --public-url; ngrok: always; none: never',
    );
    command.option('--no-tunnel', 'never open a tunnel (same as --tunnel none)');
  }
  return command;
}

/** Commander's parsed options → the loader's flag values, keyed by setting. */
export function flagValues(options: ConfigFlagOptions): FlagValues {
  const flags: FlagValues = {};
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (!spec.flag) continue;
    const value = options[flagAttribute(spec.flag)];
    if (typeof value === 'string') flags[spec.key as SettingKey] = value;
  }
  const { tunnel } = options;
  if (typeof tunnel === 'boolean') flags.tunnel = tunnel ? 'ngrok' : 'none';
  else if (typeof tunnel === 'string') flags.tunnel = parseTunnelFlag(tunnel);
  return flags;
}

function parseTunnelFlag(raw: string): TunnelMode {
  const mode = raw.trim().toLowerCase();
  if ((TUNNEL_MODES as readonly string[]).includes(mode)) return mode as TunnelMode;
  throw new ConfigError('serve.tunnel', `Invalid --tunnel: must be auto, ngrok or none (got "${raw}").`, {
    source: 'flag',
    hint: 'Use --tunnel ngrok for a public URL through ngrok, or --tunnel none (--no-tunnel) to serve locally.',
  });
}
