/** Keeps the AppSecret and access_tokens out of error messages and logs, wherever WeChat or Node echo them back. */
import { maskSecret } from '../secrets.js';

/** Tokens are remembered for masking; a few suffice, since older ones are expired and no longer worth anything. */
const REMEMBERED_TOKENS = 8;

export interface Redactor {
  /** Remembers a new secret (an access_token just issued). */
  add(secret: string): void;
  /** The text with every known secret and any `access_token=…` / `secret=…` value masked. */
  redact(text: string): string;
  /** The error itself when nothing in its message chain holds a secret, else a masked copy (same name and code). */
  redactError(error: unknown): unknown;
}

export function createRedactor(permanent: string[]): Redactor {
  const tokens: string[] = [];
  const known = () => [...permanent, ...tokens].filter((secret) => secret.length >= 4);

  function redact(text: string): string {
    let result = text.replace(/((?:access_token|secret)["']?\s*[=:]\s*["']?)[^&\s"',}]+/gi, '$1[masked]');
    for (const secret of known()) result = result.replaceAll(secret, maskSecret(secret));
    return result;
  }

  function leaks(error: unknown): boolean {
    let current: unknown = error;
    for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
      if (redact(current.message) !== current.message || redact(current.stack ?? '') !== (current.stack ?? '')) {
        return true;
      }
      current = current.cause;
    }
    return false;
  }

  function copy(error: unknown, depth: number): unknown {
    if (!(error instanceof Error) || depth >= 5) return error;
    const masked = new Error(
      redact(error.message),
      error.cause === undefined ? undefined : { cause: copy(error.cause, depth + 1) },
    );
    masked.name = error.name;
    masked.stack = redact(error.stack ?? '');
    const code = (error as Error & { code?: unknown }).code;
    if (code !== undefined) Object.assign(masked, { code });
    return masked;
  }

  return {
    add(secret) {
      if (tokens.includes(secret)) return;
      tokens.push(secret);
      if (tokens.length > REMEMBERED_TOKENS) tokens.shift();
    },
    redact,
    redactError: (error) => (leaks(error) ? copy(error, 0) : error),
  };
}
