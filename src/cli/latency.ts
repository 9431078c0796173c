/** Latencies as people read them, coloured against WeChat's 5-second rule: green < 3 s, yellow < 4.5 s, red above. */
import type { Theme } from './theme.js';

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function colourLatency(ms: number, theme: Theme, text = formatSeconds(ms)): string {
  if (ms < 3000) return theme.success(text);
  if (ms < 4500) return theme.warn(text);
  return theme.error(text);
}
