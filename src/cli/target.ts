/**
 * What simulate and verify play WeChat against: the webhook URL (--url, or the local server of the configuration)
 * and the keys WeChat would sign and encrypt with (the same Token and EncodingAESKey serve uses).
 */

import { ConfigError } from '../errors.js';
import type { CliContext } from './context.js';
import { UsageError } from './exit.js';
import { type LoadedConfig, loadConfig } from './load-config.js';
import { localWebhookUrl } from './local-url.js';
import { type ConfigFlagOptions, flagValues } from './options.js';
import type { SettingSource } from './settings.js';
import { withStableKeys } from './state.js';

export interface Target {
  url: string;
  /** `flag` for --url, `config` for the local server of the configuration. */
  urlSource: 'flag' | 'config';
  token: string;
  tokenSource: SettingSource;
  encodingAesKey?: string;
  appId?: string;
  /** WeChat's timeout per attempt and its attempts (timing in wechat-gpt.config.json; 5000 ms and 3 by default). */
  timeoutMs: number;
  attempts: number;
  /** The bot's texts and commands, e.g. the reset word the REPL sends. */
  loaded: LoadedConfig;
}

export interface TargetOptions extends ConfigFlagOptions {
  url?: string;
  timeout?: string;
}

export async function loadTarget(ctx: CliContext, options: TargetOptions): Promise<Target> {
  const loaded = await withStableKeys(
    await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    }),
    { cwd: ctx.cwd, generate: false },
  );
  for (const warning of loaded.warnings) ctx.logger.warn(warning);
  const { token, encodingAesKey, appId } = loaded.config.wechat;
  if (!token) {
    throw new ConfigError('wechat.token', 'No Token: WECHAT_TOKEN is not set and serve has not generated one here.', {
      source: 'default',
      hint: 'Set WECHAT_TOKEN (the Token of 服务器配置), run `npx wechat-gpt init`, or run `npx wechat-gpt serve` once in this folder.',
    });
  }
  const { url, urlSource } = targetUrl(options.url, loaded);
  const timing = loaded.config.timing ?? {};
  return {
    url,
    urlSource,
    token,
    tokenSource: loaded.sources['wechat.token'] ?? 'default',
    ...(encodingAesKey ? { encodingAesKey } : {}),
    ...(appId ? { appId } : {}),
    timeoutMs: options.timeout === undefined ? (timing.wechatTimeoutMs ?? 5000) : parseTimeout(options.timeout),
    attempts: timing.attempts ?? 3,
    loaded,
  };
}

function targetUrl(flag: string | undefined, loaded: LoadedConfig): { url: string; urlSource: Target['urlSource'] } {
  if (flag !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(flag);
    } catch {
      throw new UsageError(`--url must be a full URL (got "${flag}").`, {
        hint: 'Use the URL of 服务器配置, e.g. https://abc.ngrok-free.app/wechat.',
      });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`--url must be an http(s) URL (got "${flag}").`, {
        hint: 'Use the URL of 服务器配置, e.g. https://abc.ngrok-free.app/wechat.',
      });
    }
    return { url: parsed.href, urlSource: 'flag' };
  }
  const { port, host, path } = loaded.cli;
  if (port === 0) {
    throw new UsageError('The configured port is 0 (serve picks a free one), so the local URL is unknown.', {
      hint: 'Pass --url with the URL serve printed, e.g. --url http://127.0.0.1:43121/wechat.',
    });
  }
  return { url: localWebhookUrl(host, port, path), urlSource: 'config' };
}

/** --timeout: WeChat's wait per attempt, in ms (simulate, test). */
export function parseTimeout(raw: string): number {
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || ms < 1) {
    throw new UsageError(`--timeout must be a number of milliseconds (got "${raw}").`, {
      hint: "WeChat waits 5000 ms; leave --timeout out unless your config file's timing is compressed for tests.",
    });
  }
  return ms;
}
