/** Structured logs (pino) on stderr, with secret-bearing fields censored wherever they appear. */
import pino from 'pino';
import type { Logger } from './config.js';

const SECRET_FIELDS = [
  'token',
  'aesKey',
  'encodingAesKey',
  'apiKey',
  'appSecret',
  'secret',
  'access_token',
  'authtoken',
];

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false };

export function createLogger({
  level = process.env.LOG_LEVEL ?? 'info',
  destination = 2,
}: {
  level?: string;
  destination?: number | NodeJS.WritableStream;
} = {}): Logger {
  const paths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]);
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: false }) : destination;
  return pino({ level, redact: { paths, censor: '[masked]' }, base: { name: 'wechat-gpt' } }, stream);
}

/** `sk-abcd…wxyz`: enough to recognise a secret, not enough to use it. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '•'.repeat(value.length);
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
