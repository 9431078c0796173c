/**
 * Where serve's logs go. pretty (a terminal): the banner and one line per message on stdout, warnings on stderr, as
 * people read them. json (stdout is not a terminal, or --log-format json): pino JSON lines on stdout — the library's
 * logs, one `message` line per message, serve's own lines and a `ready` line — for Docker, systemd and log shippers.
 * --log-file writes the same JSON lines to a file rotated by size and by interval (rotating-file-stream). Secrets are
 * censored by pino's redaction in both (src/logger.ts).
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import type { LogFields, Logger } from '../../config.js';
import { createLogger } from '../../logger.js';
import type { ServeSettings } from '../load-config.js';
import type { CliLogger, Writer } from '../logger.js';
import { createLibraryLogger } from './library-logger.js';

export interface ServeLogging {
  /** True when logs are JSON lines on stdout (no banner, no human line per message). */
  json: boolean;
  /** serve's own lines (warnings, "Stopping…"). */
  cli: CliLogger;
  /** What the library logs to. */
  library: Logger;
  /** An info line for every JSON output (stdout in json mode, the log file), whatever --quiet says. */
  event(fields: LogFields, message: string): void;
  /** Flushes and closes the log file. */
  close(): Promise<void>;
}

type Settings = Pick<ServeSettings, 'logFormat' | 'logFile' | 'logFileSize' | 'logFileInterval' | 'logFileKeep'>;

export interface ServeLoggingOptions {
  settings: Settings;
  cwd: string;
  stdout: Writer & { isTTY?: boolean };
  /** The CLI's human logger (stderr), with the level of LOG_LEVEL / --verbose. */
  logger: CliLogger;
  quiet: boolean;
  /** --json: stdout carries events for scripts; logs stay human on stderr. */
  events: boolean;
}

export function createServeLogging({
  settings,
  cwd,
  stdout,
  logger,
  quiet,
  events,
}: ServeLoggingOptions): ServeLogging {
  const json = !events && (settings.logFormat === 'json' || (settings.logFormat === 'auto' && stdout.isTTY !== true));
  const level = logger.level;
  const sinks: Logger[] = [];
  const eventSinks: Logger[] = [];
  let cli: CliLogger = logger;
  let library: Logger = createLibraryLogger(logger, { quiet });

  if (json) {
    const destination = stdout as unknown as NodeJS.WritableStream;
    const out = createLogger({ level, destination });
    eventSinks.push(out);
    // --quiet: no line per message (info), warnings and errors still.
    library = quiet && level !== 'silent' && level !== 'error' ? createLogger({ level: 'warn', destination }) : out;
    cli = cliLoggerOn(out, level);
  }

  let file: RotatingFileStream | undefined;
  if (settings.logFile) {
    const path = resolve(cwd, settings.logFile);
    mkdirSync(dirname(path), { recursive: true });
    file = createStream(basename(path), {
      path: dirname(path),
      size: settings.logFileSize,
      interval: settings.logFileInterval,
      maxFiles: settings.logFileKeep,
    });
    file.on('error', (error) => logger.warn(`The log file ${path} cannot be written: ${error.message}`));
    const toFile = createLogger({ level: level === 'debug' ? 'debug' : 'info', destination: file });
    sinks.push(toFile);
    eventSinks.push(toFile);
    cli = teeCli(cli, cliLoggerOn(toFile, level));
  }

  for (const sink of sinks) library = teeLogger(library, sink);
  const opened = file;
  return {
    json,
    cli,
    library,
    event(fields, message) {
      for (const sink of eventSinks) sink.info(fields, message);
    },
    close: () =>
      new Promise<void>((done) => {
        if (!opened) return done();
        opened.end(() => done());
      }),
  };
}

/** serve's own lines as log records: `{"level":40,"msg":"OPENAI_API_KEY is not set…"}`. */
function cliLoggerOn(out: Logger, level: CliLogger['level']): CliLogger {
  return {
    level,
    debug: (message) => out.debug({}, message),
    info: (message) => out.info({}, message),
    warn: (message) => out.warn({}, message),
    error: (message, hint) => out.error(hint ? { hint } : {}, message),
  };
}

function teeCli(a: CliLogger, b: CliLogger): CliLogger {
  return {
    level: a.level,
    debug(message) {
      a.debug(message);
      b.debug(message);
    },
    info(message) {
      a.info(message);
      b.info(message);
    },
    warn(message) {
      a.warn(message);
      b.warn(message);
    },
    error(message, hint) {
      a.error(message, hint);
      b.error(message, hint);
    },
  };
}

type Level = 'debug' | 'info' | 'warn' | 'error';

function teeLogger(a: Logger, b: Logger): Logger {
  const enabled = (logger: Logger, level: Level) => logger.isLevelEnabled?.(level) ?? true;
  const both =
    (level: Level): Logger[Level] =>
    (fields, message) => {
      a[level](fields, message);
      b[level](fields, message);
    };
  return {
    isLevelEnabled: (level) => enabled(a, level) || enabled(b, level),
    debug: both('debug'),
    info: both('info'),
    warn: both('warn'),
    error: both('error'),
  };
}
