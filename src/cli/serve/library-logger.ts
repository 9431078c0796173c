/**
 * The library's structured logger, printed for people: `warning: webhook request refused status=401 …` on stderr.
 * serve prints one line per message itself, so the library's own per-message logs show only with --verbose.
 */
import type { LogFields, Logger } from '../../config.js';
import { SECRET_LOG_FIELDS } from '../../secrets.js';
import { type CliLogger, type CliLogLevel, LOG_LEVELS } from '../logger.js';

/** Fields that may carry a secret: never printed (the same list pino censors in src/logger.ts). */
const SECRET_FIELDS: ReadonlySet<string> = new Set(SECRET_LOG_FIELDS);

export function formatFields(fields: LogFields): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      if (SECRET_FIELDS.has(key)) return `${key}=[masked]`;
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${typeof value === 'string' && /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
    })
    .join(' ');
}

export function createLibraryLogger(cli: CliLogger, { quiet = false }: { quiet?: boolean } = {}): Logger {
  const line = (fields: LogFields, message?: string) =>
    [message, formatFields(fields)].filter((part) => part !== undefined && part !== '').join(' ');
  // Where each library level is printed (debug and info only with --verbose), so the library can skip building fields
  // for a line nobody will see.
  const printedAt: Record<'debug' | 'info' | 'warn' | 'error', CliLogLevel> = {
    debug: 'debug',
    info: 'debug',
    warn: quiet ? 'silent' : 'warn',
    error: 'error',
  };
  const threshold = LOG_LEVELS.indexOf(cli.level);
  return {
    isLevelEnabled: (level) => printedAt[level] !== 'silent' && LOG_LEVELS.indexOf(printedAt[level]) >= threshold,
    debug: (fields, message) => cli.debug(line(fields, message)),
    info: (fields, message) => cli.debug(line(fields, message)),
    warn: (fields, message) => {
      if (!quiet) cli.warn(line(fields, message));
    },
    error: (fields, message) => cli.error(line(fields, message)),
  };
}
