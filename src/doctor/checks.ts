/** Which checks doctor runs, in the order it prints them, each with the settings it needs from the configuration. */
import type { Tunnel } from '../tunnel/types.js';
import { clockCheck } from './clock.js';
import { type ConfigLoad, configCheck } from './config.js';
import { ffmpegCheck } from './ffmpeg.js';
import { modelCheck } from './model.js';
import { ngrokCheck } from './ngrok.js';
import { publicUrlCheck } from './public-url.js';
import { redisCheck } from './redis.js';
import { type Check, type CheckId, skip } from './types.js';
import { wechatApiCheck } from './wechat-api.js';

export interface DoctorOptions {
  /** Each remote check's time limit (ms). */
  timeoutMs: number;
  /** The webhook URL to check as 服务器配置 does (default: the one under serve.publicUrl). */
  url?: string;
  /** Send the model one tiny completion (default true). */
  completion?: boolean;
  fetch?: typeof globalThis.fetch;
  /** The tunnel adapter for the ngrok check (default ngrok). */
  tunnel?: Tunnel;
  now?: () => number;
}

export const CHECK_IDS: readonly CheckId[] = [
  'config',
  'model',
  'wechat-api',
  'redis',
  'ngrok',
  'public-url',
  'ffmpeg',
  'clock',
];

export function doctorChecks(load: ConfigLoad, options: DoctorOptions): Check[] {
  const first = configCheck(load);
  if (!load.ok) {
    return [
      first,
      ...CHECK_IDS.slice(1).map((id) => ({ id, run: async () => skip('not checked: the configuration is invalid') })),
    ];
  }
  const { config, cli } = load.loaded;
  const { timeoutMs, fetch } = options;
  const withFetch = fetch ? { fetch } : {};
  const { appId, appSecret, apiBase, token } = config.wechat;
  return [
    first,
    modelCheck({
      apiKey: config.llm.apiKey,
      baseUrl: config.llm.baseUrl,
      model: config.llm.model,
      completion: options.completion ?? true,
      timeoutMs,
      ...withFetch,
    }),
    wechatApiCheck({ appId, appSecret, apiBase, timeoutMs, ...withFetch }),
    redisCheck({ url: cli.redisUrl, timeoutMs }),
    ngrokCheck({
      authtoken: cli.ngrokAuthtoken,
      domain: cli.domain,
      port: cli.port,
      timeoutMs,
      ...(options.tunnel ? { tunnel: options.tunnel } : {}),
    }),
    publicUrlCheck({ url: options.url, publicUrl: cli.publicUrl, path: cli.path, token, timeoutMs, ...withFetch }),
    ffmpegCheck({
      path: config.media.ffmpegPath,
      needed: config.media.transcribeVoice && Boolean(appId && appSecret),
    }),
    clockCheck({
      apiBase,
      allowedSkewMs: config.timing.clockSkewMs,
      replayWindowSec: config.timing.replayWindowSec,
      ...withFetch,
      ...(options.now ? { now: options.now } : {}),
    }),
  ];
}
