/** The configuration flags shared by commands that load the configuration (config, serve, verify…). */
import type { Command } from 'commander';
import type { FlagValues } from './load-config.js';
import { flagAttribute, SETTINGS, type SettingKey, type SettingSpec } from './settings.js';

export interface ConfigFlagOptions {
  config?: string;
  tunnel?: boolean;
  [attribute: string]: unknown;
}

/**
 * Adds `--config` and a flag for every non-secret setting. Descriptions name the environment variable; no commander
 * defaults or `.env()`, because the loader decides precedence and records sources.
 */
export function addConfigOptions(command: Command): Command {
  command.option('-c, --config <file>', 'the config file (default: wechat-gpt.config.json)');
  for (const spec of SETTINGS as readonly SettingSpec[]) {
    if (!spec.flag) continue;
    command.option(spec.flag, `${spec.flagHelp ?? spec.description}${spec.env ? ` (env: ${spec.env})` : ''}`);
  }
  command.option('--tunnel', 'always open an ngrok tunnel (default: when NGROK_AUTHTOKEN is set)');
  command.option('--no-tunnel', 'never open a tunnel');
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
  if (typeof options.tunnel === 'boolean') flags.tunnel = options.tunnel;
  return flags;
}
