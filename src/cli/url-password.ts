/** Hides the password of a URL (REDIS_URL) before it is printed. */

/** `redis://:hunter2@host` → `redis://:****@host`: the host is useful to see, the password is not. */
export function hideUrlPassword(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[a-z]+:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '****';
    return url.toString();
  } catch {
    return value;
  }
}
