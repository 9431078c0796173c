/**
 * The one place that knows what is secret in output: the log fields that may carry one, how a secret is shown
 * (`sk-abcd…wxyz`), and how a URL's password is hidden. Used by the logger, the CLI and error messages alike.
 * (The configuration's secret settings are marked `secret` in src/config/schema.ts.)
 */

/** Log fields that may carry a secret: censored by pino (src/logger.ts) and by serve's log lines alike. */
export const SECRET_LOG_FIELDS: readonly string[] = [
  'token',
  'aesKey',
  'encodingAesKey',
  'apiKey',
  'appSecret',
  'secret',
  'access_token',
  'authtoken',
];

/** `sk-abcd…wxyz`: enough to recognise a secret, not enough to use it. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '•'.repeat(value.length);
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/**
 * `redis://:hunter2@host` → `redis://:***@host`: the host is useful to see, the password is not. Text that is not
 * a URL is returned as it is, unless it looks like one with credentials (then it is not shown at all).
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString();
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value) ? 'the configured URL' : value;
  }
}
