/** `wechat-gpt serve`: runs the webhook (and a tunnel), prints what to paste into 服务器配置, then one line per message. */
import { Command } from 'commander';
import type { MessageRecord } from '../../bot/types.js';
import type { CliContext } from '../context.js';
import { Interrupted } from '../exit.js';
import { createLiveWait } from '../live-wait.js';
import { loadConfig } from '../load-config.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import { formatBanner, readyEvent } from '../serve/banner.js';
import { formatMessageLine, messageEvent } from '../serve/message-line.js';
import type { ServeInfo } from '../serve/start.js';
import { withStableKeys } from '../state.js';

interface ServeOptions extends ConfigFlagOptions {
  json?: boolean;
  quiet?: boolean;
  /** False with --no-console. */
  console?: boolean;
}

/** How long Ctrl-C / SIGTERM waits for answers in flight before giving up on them. */
const DRAIN_MS = 10_000;

export function serveCommand(ctx: CliContext): Command {
  const command = new Command('serve').description('run the webhook, with an ngrok tunnel when NGROK_AUTHTOKEN is set');
  addConfigOptions(command);
  return command
    .option('--json', 'print a "ready" JSON line, then one JSON line per message (for scripts)')
    .option('-q, --quiet', 'print only the values for 服务器配置, no line per message')
    .option('--no-console', 'do not serve the dev console (http://127.0.0.1:<port>/_console, loopback only)')
    .addHelpText(
      'after',
      `
Prints the URL, Token and EncodingAESKey to paste into 公众平台 → 开发 → 基本配置 → 服务器配置. A Token and an
EncodingAESKey you have not set are generated once and kept in .wechat-gpt/state.json, so they survive restarts.
Without OPENAI_API_KEY or NGROK_AUTHTOKEN it still starts, and says what is missing.
Ctrl-C (or SIGTERM) closes the tunnel, stops accepting and lets answers in flight finish (up to ${DRAIN_MS / 1000} s);
Ctrl-C again stops at once (exit 130). On a terminal it prints for people; elsewhere (Docker, systemd, a pipe) JSON
log lines (--log-format). GET /healthz and /metrics (Prometheus) are served next to the webhook.

Examples:
  $ npx wechat-gpt serve
  $ npx wechat-gpt serve --port 0 --no-tunnel --json
  $ npx wechat-gpt serve --no-console
  $ npx wechat-gpt serve --port 8080 --public-url https://bot.example.com
  $ npx wechat-gpt serve --no-tunnel --log-file logs/wechat-gpt.log
  $ NGROK_DOMAIN=example.ngrok-free.app npx wechat-gpt serve`,
    )
    .action((options: ServeOptions) => runServe(ctx, options));
}

async function runServe(ctx: CliContext, options: ServeOptions): Promise<void> {
  const json = options.json === true;
  const quiet = options.quiet === true;
  const loaded = await withStableKeys(
    await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    }),
    { cwd: ctx.cwd },
  );
  // Loaded here, not with the command: pino and the log rotation are not needed to print --help.
  const { createServeLogging } = await import('../serve/log-output.js');
  const logging = createServeLogging({
    settings: loaded.cli,
    cwd: ctx.cwd,
    stdout: ctx.stdout,
    logger: ctx.logger,
    quiet,
    events: json,
  });
  const logger = logging.cli;
  for (const warning of loaded.warnings) logger.warn(warning);
  const wechatTimeoutMs = loaded.config.timing?.wechatTimeoutMs ?? 5000;

  // First signal: stop gracefully. Second: stop waiting for answers in flight.
  const stopping = new AbortController();
  const hurry = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping.signal.aborted) stopping.abort(signal);
    else hurry.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // A terminal's width, read at each line (it may be resized); undefined for a pipe, where lines are kept whole.
  const terminal = ctx.stdout as { isTTY?: boolean; columns?: number };
  const width = () => (terminal.isTTY ? terminal.columns : undefined);
  const onMessage = (record: MessageRecord) => {
    if (quiet || logging.json) return;
    ctx.stdout.write(
      `${json ? JSON.stringify(messageEvent(record)) : formatMessageLine(record, ctx.theme, { wechatTimeoutMs, width: width() })}\n`,
    );
  };

  try {
    const { startServe } = await import('../serve/start.js');
    let session: Awaited<ReturnType<typeof startServe>>;
    try {
      session = await startServe({
        loaded,
        env: ctx.env,
        logger,
        libraryLogger: logging.library,
        // JSON logs carry one `message` record per message (the library's own): no human line is built.
        quiet: quiet || logging.json,
        onMessage,
        console: options.console !== false,
        signal: stopping.signal,
        cwd: ctx.cwd,
        // On a terminal only (JSON logs and pipes get the plain line).
        progress: logging.json ? undefined : createLiveWait(ctx.stderr, ctx.env),
      });
    } catch (error) {
      if (stopping.signal.aborted) {
        logger.info('Stopped before the webhook was ready.');
        return;
      }
      throw error;
    }

    for (const line of missingSettings(session.info)) logger.warn(line);
    // The log records carry no console URL (it holds this run's secret); pino masks the Token and the key.
    const { event: _event, consoleUrl: _console, ...ready } = readyEvent(session.info);
    logging.event({ ...ready, version: ctx.version }, 'ready');
    if (!logging.json) {
      ctx.stdout.write(
        json
          ? `${JSON.stringify(readyEvent(session.info))}\n`
          : `${formatBanner(session.info, ctx.theme, { version: ctx.version, quiet, width: width() })}\n`,
      );
    }

    await aborted(stopping.signal);
    const waiting = session.inFlight();
    logger.info(
      waiting > 0
        ? `Stopping: ${tunnelOpen(session.info) ? 'closing the tunnel, ' : ''}answering held attempts now and finishing ${waiting} answer${waiting === 1 ? '' : 's'} in flight into the outbox (up to ${DRAIN_MS / 1000} s; Ctrl-C again to stop now)…`
        : 'Stopping…',
    );
    const drained = await session.stop({ drainMs: DRAIN_MS, signal: hurry.signal });
    if (!drained)
      logger.warn(
        'Stopped before every answer in flight was finished; those users are told so when they send 「继续」.',
      );
    else logger.info('Stopped.');
    // A second Ctrl-C: exit now, 130 (128 + SIGINT) like any interrupted command.
    if (hurry.signal.aborted) throw new Interrupted(hurry.signal.reason as NodeJS.Signals);
  } finally {
    await logging.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** One line each for what is missing and how to add it. */
function missingSettings(info: ServeInfo): string[] {
  const lines: string[] = [...(info.urlProblems ?? [])];
  if (!info.llm.configured) {
    lines.push(
      'OPENAI_API_KEY is not set: the bot answers every question with a "not configured" notice. Add OPENAI_API_KEY=sk-… to .env (and OPENAI_BASE_URL for DeepSeek, Qwen, Moonshot…).',
    );
  }
  if (info.noTunnelReason === 'no-authtoken') {
    lines.push(
      'NGROK_AUTHTOKEN is not set: no public URL, so WeChat cannot reach this machine. Add NGROK_AUTHTOKEN to .env (https://dashboard.ngrok.com/get-started/your-authtoken), or pass --public-url <your URL>.',
    );
  }
  return lines;
}

const tunnelOpen = (info: ServeInfo) => info.tunnel === 'ngrok' || info.tunnel === 'fake';

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
