/**
 * Runs the webhook for `serve`: the library's createWechatGpt behind a node:http server, a store (memory, or Redis
 * with REDIS_URL) and a tunnel. Collects what the banner shows; stop() closes the tunnel, stops accepting and lets
 * answers in flight finish (bounded).
 */
import type { Server } from 'node:http';
import type { MessageRecord } from '../../bot/types.js';
import type { Logger, WechatGptConfig } from '../../config.js';
import type { CreateOptions } from '../../index.js';
import { maskSecret, redactUrl } from '../../secrets.js';
import type { MemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import type { OpenTunnel } from '../../tunnel/types.js';
import { formatSeconds } from '../latency.js';
import type { LiveWait } from '../live-wait.js';
import { type LoadedConfig, toWechatGptConfig } from '../load-config.js';
import { forwardHost, joinUrl, localWebhookUrl, publicWebhookUrl } from '../local-url.js';
import type { CliLogger } from '../logger.js';
import type { SettingSource } from '../settings.js';
import { createLibraryLogger } from './library-logger.js';
import { listen } from './listen.js';
import { restoreSavedAnswers, saveAnswers } from './saved-answers.js';
import { warnAboutSetup } from './startup-checks.js';
import { chooseTunnel, type TunnelChoice } from './tunnel-choice.js';

/** What serve is running with: the banner's content, and the `ready` JSON line's. */
export interface ServeInfo {
  /** The local webhook URL, path included. */
  url: string;
  /** The public base URL (tunnel or --public-url), or null when WeChat cannot reach us yet. */
  publicUrl: string | null;
  /** The URL for 服务器配置: the public URL plus the path, or the local one. */
  pasteUrl: string;
  path: string;
  port: number;
  token: string;
  aesKey: string | null;
  appId: string | null;
  /** The 消息加解密方式 to choose: safe (all three work) when AppID and EncodingAESKey are set, else plain. */
  mode: 'safe' | 'plain';
  tunnel: 'ngrok' | 'fake' | 'public-url' | 'none';
  /** Why there is no public URL, when there is none. */
  noTunnelReason?: 'flag' | 'no-authtoken';
  /** What is wrong with --public-url for 服务器配置 (printed as warnings). */
  urlProblems?: string[];
  delivery: 'passive' | 'active';
  llm: { configured: boolean; model: string; baseUrl: string; apiKey: string | null };
  store: { kind: string; url?: string };
  /** Where each value came from. */
  sources: Record<'token' | 'aesKey' | 'model' | 'baseUrl' | 'apiKey', SettingSource | 'not set'>;
  /** The word users send to get a waiting answer (继续). */
  continueWord: string;
  /** The dev console's URL with this run's secret, or why there is none. */
  console: { url: string } | { url: null; reason: 'flag' | 'not-loopback' };
}

export interface ServeSession {
  info: ServeInfo;
  /** Answers being worked on right now. */
  inFlight(): number;
  /** Closes the tunnel, stops accepting, waits up to drainMs for answers in flight. True when all finished. */
  stop(options: { drainMs: number; signal?: AbortSignal }): Promise<boolean>;
}

export interface StartServeOptions {
  loaded: LoadedConfig;
  env: Record<string, string | undefined>;
  logger: CliLogger;
  /** What the library logs to (default: `logger`, printed for people). */
  libraryLogger?: Logger;
  quiet: boolean;
  onMessage: (record: MessageRecord) => void;
  /** Serve the dev console under /_console (default true; --no-console turns it off). */
  console?: boolean;
  /** A spinner on a terminal for the slow steps (connecting to Redis, opening the ngrok tunnel). */
  progress?: LiveWait | undefined;
  /** Aborts opening the tunnel (Ctrl-C while ngrok connects). */
  signal?: AbortSignal;
  /** The working folder: with the memory store, waiting answers are saved in its .wechat-gpt/ across restarts. */
  cwd?: string;
}

export async function startServe({
  loaded,
  env,
  logger,
  libraryLogger: givenLibraryLogger,
  quiet,
  onMessage,
  console: withConsole = true,
  signal,
  cwd,
  progress,
}: StartServeOptions): Promise<ServeSession> {
  const base = toWechatGptConfig(loaded);
  const { cli, sources } = loaded;
  // Encrypted messages carry the AppID: without it, the key cannot be used yet, so serve 明文模式 until it is set.
  const { encodingAesKey, appId } = base.wechat;
  const useKey = Boolean(encodingAesKey && appId);
  const wechat: WechatGptConfig['wechat'] = { ...base.wechat };
  if (!useKey) delete wechat.encodingAesKey;
  const libraryLogger = givenLibraryLogger ?? createLibraryLogger(logger, { quiet });

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };

  try {
    let store: Store | undefined;
    if (cli.redisUrl) {
      const { createRedisStore } = await import('../../store/redis.js');
      const where = redactUrl(cli.redisUrl);
      const limit = formatSeconds(cli.redisConnectTimeoutMs);
      progress?.start((ms) => `Connecting to Redis at ${where}…  ${formatSeconds(ms)} (gives up after ${limit})`);
      try {
        store = await createRedisStore({
          url: cli.redisUrl,
          logger: libraryLogger,
          outboxTtlMs: loaded.config.timing.outboxTtlMs,
          connectTimeoutMs: cli.redisConnectTimeoutMs,
        });
      } finally {
        progress?.stop();
      }
      const redis = store;
      cleanups.push(() => redis.close());
    }
    let memory: MemoryStore | undefined;
    if (!store && cwd) {
      const { createMemoryStore } = await import('../../store/memory.js');
      memory = createMemoryStore({ outboxTtlMs: loaded.config.timing.outboxTtlMs });
      const restored = await restoreSavedAnswers(cwd, memory);
      if (restored > 0) logger.info(`Restored the waiting answers of ${restored} user${restored === 1 ? '' : 's'}.`);
      store = memory;
      const own = memory;
      cleanups.push(() => own.close());
    }

    // The console must be reachable on loopback: not when serve listens on one other address only.
    const consoleHost = withConsole ? loopbackHost(cli.host) : undefined;
    const devConsole = consoleHost ? (await import('../../console/index.js')).createDevConsole() : undefined;

    const { createWechatGpt } = await import('../../index.js');
    const { loadServeKnowledge } = await import('../../kb/load-for-serve.js');
    const knowledge = cwd ? await loadServeKnowledge(loaded.config, cwd, (line) => logger.info(line)) : undefined;
    const withKnowledge = (options: CreateOptions): CreateOptions =>
      knowledge ? { ...options, knowledge: devConsole ? devConsole.wrapKnowledge(knowledge) : knowledge } : options;
    // Under --quiet no line per message is printed: no record is built for one either.
    const gpt = createWechatGpt(
      { ...base, wechat, path: cli.path, logger: libraryLogger, ...(store ? { store } : {}) },
      withKnowledge(
        devConsole
          ? {
              // The console wants the records of pushed answers only: under --quiet nothing else needs one built.
              ...(quiet
                ? { onPush: devConsole.onMessage }
                : {
                    onMessage: (record: MessageRecord) => {
                      onMessage(record);
                      devConsole.onMessage(record);
                    },
                  }),
              observer: devConsole.observer,
              wrapLlm: devConsole.wrapLlm,
            }
          : quiet
            ? {}
            : { onMessage },
      ),
    );
    cleanups.push(() => gpt.close({ drainMs: 0 }));
    if (devConsole) {
      cleanups.push(async () => devConsole.close());
    }

    // A promise of ours rejecting with nobody listening must not take the bot down (Node's default is to exit).
    const onUnhandled = (reason: unknown) => {
      libraryLogger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection');
    };
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => {
      process.off('unhandledRejection', onUnhandled);
    });

    const { createWebhookServer } = await import('../../server/http-server.js');
    const server = createWebhookServer(
      devConsole
        ? (req, res) => {
            if (!devConsole.handle(req, res)) gpt.listener(req, res);
          }
        : gpt.listener,
    );
    const port = await listen(server, { port: cli.port, host: cli.host });
    if (devConsole && consoleHost) devConsole.attach({ gpt, port, host: consoleHost });
    cleanups.push(() => closeServer(server, 0));
    const url = localWebhookUrl(cli.host, port, cli.path);
    // In the background: a rejected key or a missing IP白名单 entry is a warning, never a reason not to start.
    void warnAboutSetup(loaded, logger);

    const choice = await chooseTunnel(cli, env);
    if (choice.kind === 'tunnel' && choice.tunnel.kind === 'ngrok') {
      if (progress) progress.start((ms) => `Opening an ngrok tunnel…  ${formatSeconds(ms)} (Ctrl-C to give up)`);
      else logger.info('Opening an ngrok tunnel…');
    }
    const opened = await openTunnel(choice, { port, host: forwardHost(cli.host), signal }).finally(() =>
      progress?.stop(),
    );
    if (opened) cleanups.push(() => opened.close());
    const publicUrl = choice.kind === 'public-url' ? choice.url : (opened?.url ?? null);
    const pasted = choice.kind === 'public-url' ? publicWebhookUrl(choice.url, cli.path) : undefined;

    const info: ServeInfo = {
      url,
      publicUrl,
      pasteUrl: pasted ? pasted.url : publicUrl ? joinUrl(publicUrl, cli.path) : url,
      ...(pasted?.problems.length ? { urlProblems: pasted.problems } : {}),
      path: cli.path,
      port,
      token: wechat.token,
      aesKey: encodingAesKey ?? null,
      appId: appId ?? null,
      mode: useKey ? 'safe' : 'plain',
      tunnel: tunnelKind(choice),
      ...(choice.kind === 'none' ? { noTunnelReason: choice.reason } : {}),
      delivery: gpt.deliveryMode(),
      llm: {
        configured: gpt.llm.configured,
        model: gpt.config.llm.model,
        baseUrl: gpt.llm.baseUrl,
        apiKey: gpt.config.llm.apiKey ? maskSecret(gpt.config.llm.apiKey) : null,
      },
      store: store
        ? { kind: store.kind, ...(cli.redisUrl ? { url: redactUrl(cli.redisUrl) } : {}) }
        : { kind: gpt.store.kind },
      sources: {
        token: sources['wechat.token'] ?? 'default',
        aesKey: encodingAesKey ? (sources['wechat.encodingAesKey'] ?? 'default') : 'not set',
        model: sources['llm.model'] ?? 'default',
        baseUrl: sources['llm.baseUrl'] ?? 'default',
        apiKey: gpt.config.llm.apiKey ? (sources['llm.apiKey'] ?? 'default') : 'not set',
      },
      continueWord: gpt.config.commands.continue[0] ?? '继续',
      console: devConsole ? { url: devConsole.url() } : { url: null, reason: withConsole ? 'not-loopback' : 'flag' },
    };

    return {
      info,
      inFlight: () => gpt.bot.inFlight,
      async stop({ drainMs, signal: hurry }) {
        cleanups.length = 0;
        // Open console pages hold their event streams: end them so that closing the server need not wait.
        devConsole?.close();
        // Held attempts answer at once (gpt.close starts with that); answers in flight get the drain time.
        const closing = gpt.close({ drainMs });
        await opened?.close().catch(() => {});
        const drained = await Promise.race([
          Promise.all([closeServer(server, drainMs), closing]).then(() => gpt.bot.inFlight === 0),
          abortedOrAfter(hurry, drainMs).then(() => false),
        ]);
        server.closeAllConnections();
        if (memory && cwd) {
          const saved = await saveAnswers(cwd, memory).catch((error: unknown) => {
            logger.warn(`Could not save the waiting answers: ${(error as Error).message}`);
            return 0;
          });
          if (saved > 0)
            logger.info(`Saved the waiting answers of ${saved} user${saved === 1 ? '' : 's'} for the next start.`);
        }
        await store?.close().catch(() => {});
        return drained;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function openTunnel(
  choice: TunnelChoice,
  { port, host, signal }: { port: number; host: string; signal: AbortSignal | undefined },
): Promise<OpenTunnel | undefined> {
  if (choice.kind !== 'tunnel') return undefined;
  return choice.tunnel.open({
    port,
    host,
    ...(choice.authtoken ? { authtoken: choice.authtoken } : {}),
    ...(choice.domain ? { domain: choice.domain } : {}),
    ...(signal ? { signal } : {}),
  });
}

function tunnelKind(choice: TunnelChoice): ServeInfo['tunnel'] {
  if (choice.kind === 'tunnel') return choice.tunnel.kind === 'ngrok' ? 'ngrok' : 'fake';
  return choice.kind;
}

/**
 * Stops accepting and waits for open requests to finish. Keep-alive connections that go idle are closed as they do,
 * so a client holding one open cannot delay the exit; after waitMs the rest are cut.
 */
function closeServer(server: Server, waitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), waitMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function abortedOrAfter(signal: AbortSignal | undefined, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    if (signal?.aborted) return done();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Where a browser on this machine reaches a server listening on `host`, or undefined when it cannot. */
function loopbackHost(host: string): string | undefined {
  if (['0.0.0.0', '', '::', '127.0.0.1', 'localhost'].includes(host)) return '127.0.0.1';
  if (host === '::1') return '[::1]';
  return undefined;
}
