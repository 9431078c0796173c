/** The CLI's human-facing log: levelled messages on stderr, so stdout carries only results. */
import type { Theme } from './theme.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type CliLogLevel = (typeof LOG_LEVELS)[number];

export interface CliLogger {
  readonly level: CliLogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** An error with what to do next; `hint` goes on its own line. */
  error(message: string, hint?: string): void;
}

export interface Writer {
  write(text: string): unknown;
}

export function parseLogLevel(value: string | undefined): CliLogLevel {
  const lower = value?.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(lower ?? '') ? (lower as CliLogLevel) : 'info';
}

export function createCliLogger({
  stream,
  theme,
  level = 'info',
}: {
  stream: Writer;
  theme: Theme;
  level?: CliLogLevel;
}): CliLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (at: CliLogLevel) => LOG_LEVELS.indexOf(at) >= threshold;
  const line = (text: string) => stream.write(`${text}\n`);
  return {
    level,
    debug(message) {
      if (enabled('debug')) line(theme.dim(message));
    },
    info(message) {
      if (enabled('info')) line(message);
    },
    warn(message) {
      if (enabled('warn')) line(`${theme.warn('warning:')} ${message}`);
    },
    error(message, hint) {
      if (!enabled('error')) return;
      line(`${theme.error('error:')} ${message}`);
      if (hint) line(`${theme.dim('hint:')} ${hint}`);
    },
  };
}
