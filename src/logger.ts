/** Structured logs (pino) on stderr, with secret-bearing fields censored wherever they appear. */
import pino from 'pino';
import type { Logger } from './config.js';
import { SECRET_LOG_FIELDS } from './secrets.js';

export { maskSecret } from './secrets.js';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false };

export function createLogger({
  level = process.env.LOG_LEVEL ?? 'info',
  destination = 2,
}: {
  level?: string;
  destination?: number | NodeJS.WritableStream;
} = {}): Logger {
  const paths = SECRET_LOG_FIELDS.flatMap((field) => [field, `*.${field}`]);
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination;
  return pino({ level, redact: { paths, censor: '[masked]' }, base: { name: 'wechat-gpt' } }, stream);
}
