/**
 * The bot `wechat-gpt test` talks to: this folder's configuration started in-process on 127.0.0.1 and a free port
 * (with the scripted model when steps use it), or a running server at --url.
 */
import { randomBytes } from 'node:crypto';
import { defaultTexts } from '../../config/texts.js';
import type { LoadedScenario } from '../../scenario/parse.js';
import type { RunTarget } from '../../scenario/runner.js';
import type { ScriptedModel } from '../../scenario/scripted-model.js';
import type { SimulatedMode } from '../../simulator/sign.js';
import type { CliContext } from '../context.js';
import { loadConfig } from '../load-config.js';
import { type ConfigFlagOptions, flagValues } from '../options.js';
import { withStableKeys } from '../state.js';
import { loadTarget, parseTimeout } from '../target.js';

export interface BotOptions extends ConfigFlagOptions {
  url?: string;
  mode?: SimulatedMode;
  timeout?: string;
}

export interface Bot {
  target: RunTarget;
  model?: ScriptedModel;
  /** texts.morePages, to read the page marker of long answers. */
  morePages: string;
  stop(): Promise<void>;
}

export async function remoteBot(ctx: CliContext, options: BotOptions): Promise<Bot> {
  const target = await loadTarget(ctx, options);
  return {
    target: {
      url: target.url,
      token: target.token,
      mode: options.mode ?? (target.encodingAesKey && target.appId ? 'safe' : 'plain'),
      ...(target.encodingAesKey ? { encodingAesKey: target.encodingAesKey } : {}),
      ...(target.appId ? { appId: target.appId } : {}),
      timeoutMs: target.timeoutMs,
      attempts: target.attempts,
    },
    morePages: target.loaded.config.texts?.morePages ?? defaultTexts.morePages,
    stop: async () => {},
  };
}

/** The bot of this folder's configuration on 127.0.0.1 and a free port, with the scripted model when steps use it. */
export async function startBot(ctx: CliContext, options: BotOptions, scenarios: LoadedScenario[]): Promise<Bot> {
  const configured = await withStableKeys(
    await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    }),
    { cwd: ctx.cwd, generate: false },
  );
  for (const warning of configured.warnings) ctx.logger.warn(warning);
  // Both ends are ours: a folder without a Token yet gets one for this run only (nothing is written).
  const token = configured.config.wechat.token ?? randomBytes(16).toString('hex');
  const llm = configured.config.llm ?? {};
  const scripted = scenarios.some((loaded) => loaded.scenario.steps.some((step) => 'model' in step && step.model));

  const { startScriptedModel } = await import('../../scenario/scripted-model.js');
  const { isLocalBaseUrl, DEFAULT_BASE_URL } = await import('../../llm/client.js');
  const upstreamUrl = llm.baseUrl || DEFAULT_BASE_URL;
  const model = scripted
    ? await startScriptedModel({
        ...(llm.apiKey || isLocalBaseUrl(upstreamUrl)
          ? { upstream: { baseUrl: upstreamUrl, ...(llm.apiKey ? { apiKey: llm.apiKey } : {}) } }
          : {}),
        unconfiguredText: configured.config.texts?.notConfigured ?? defaultTexts.notConfigured,
      })
    : undefined;

  // --timeout compresses WeChat's clock for both sides: the bot then holds and answers attempts by the same rule.
  const timeoutMs = options.timeout === undefined ? undefined : parseTimeout(options.timeout);
  const loaded = {
    ...configured,
    config: {
      ...configured.config,
      wechat: { ...configured.config.wechat, token },
      ...(model ? { llm: { ...llm, baseUrl: model.url } } : {}),
      ...(timeoutMs === undefined
        ? {}
        : {
            timing: {
              ...configured.config.timing,
              wechatTimeoutMs: timeoutMs,
              replyBudgetMs: Math.round(timeoutMs * 0.9),
            },
          }),
    },
    // Loopback, a free port, no tunnel; the store as configured (Redis with REDIS_URL).
    cli: (({ publicUrl: _public, domain: _domain, ...serve }) => ({
      ...serve,
      port: 0,
      host: '127.0.0.1',
      tunnel: 'none' as const,
    }))(configured.cli),
  };
  const { startServe } = await import('../serve/start.js');
  // The bot loads the model SDK on its first model call; loaded now, that step's time is the answer's, not the import's.
  await import('openai');
  let session: Awaited<ReturnType<typeof startServe>>;
  try {
    session = await startServe({ loaded, env: {}, logger: ctx.logger, quiet: true, onMessage: () => {} });
  } catch (error) {
    await model?.close();
    throw error;
  }
  const { encodingAesKey, appId } = loaded.config.wechat;
  const timing = loaded.config.timing ?? {};
  const safe = Boolean(encodingAesKey && appId);
  ctx.logger.debug(
    `The bot runs in-process at ${session.info.url}${model ? `, the scripted model at ${model.url}` : ''}.`,
  );
  return {
    target: {
      url: session.info.url,
      token,
      mode: options.mode ?? (safe ? 'safe' : 'plain'),
      ...(safe && encodingAesKey && appId ? { encodingAesKey, appId } : {}),
      timeoutMs: timing.wechatTimeoutMs ?? 5000,
      attempts: timing.attempts ?? 3,
    },
    ...(model ? { model } : {}),
    morePages: loaded.config.texts?.morePages ?? defaultTexts.morePages,
    async stop() {
      await session.stop({ drainMs: 0 });
      await model?.close();
    },
  };
}
