/**
 * doctor's clock check: this machine's clock against the Date header of the WeChat API's answer. The engine reads
 * WeChat's attempt number from a message's CreateTime, so a clock off by more than timing.clockSkewMs miscounts.
 */
import { type Check, fail, ok, skip } from './types.js';

export interface ClockCheckOptions {
  apiBase: string;
  /** How far the clocks may differ (timing.clockSkewMs). */
  allowedSkewMs: number;
  /** Messages older than this are refused (timing.replayWindowSec). */
  replayWindowSec: number;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
}

export function clockCheck({
  apiBase,
  allowedSkewMs,
  replayWindowSec,
  fetch = globalThis.fetch,
  now = Date.now,
}: ClockCheckOptions): Check {
  const host = new URL(apiBase).host;
  return {
    id: 'clock',
    async run(signal) {
      const sent = now();
      let date: string | null;
      try {
        const response = await fetch(apiBase, { method: 'GET', signal });
        date = response.headers.get('date');
        await response.body?.cancel();
      } catch (error) {
        // The wechat-api check reports an unreachable API; here it only means there is nothing to compare with.
        return skip(`could not reach ${host} to compare clocks (${(error as Error).message})`);
      }
      const received = now();
      const serverMs = date ? Date.parse(date) : Number.NaN;
      if (Number.isNaN(serverMs)) return skip(`${host} answered without a Date header to compare with`);
      // Date has whole seconds: its true time lies within the second after it, the request's within sent…received.
      const skewMs = Math.round((sent + received) / 2 - (serverMs + 500));
      const way = skewMs > 0 ? 'ahead of' : 'behind';
      const amount = `${(Math.abs(skewMs) / 1000).toFixed(1)} s`;
      const tolerance = Math.max(allowedSkewMs, 1000);
      if (Math.abs(skewMs) <= tolerance) {
        return ok(`within ${(tolerance / 1000).toFixed(1)} s of ${host} (${amount} ${way})`);
      }
      const refused = replayWindowSec > 0 && Math.abs(skewMs) > replayWindowSec * 1000;
      return fail(
        `this clock is ${amount} ${way} ${host}${refused ? ': every message will be refused as a replay' : ''}`,
        `Sync the clock (timedatectl set-ntp true, chrony or ntpd). The bot counts WeChat's retries from CreateTime and allows ${(allowedSkewMs / 1000).toFixed(1)} s (timing.clockSkewMs)${replayWindowSec > 0 ? `; beyond ${replayWindowSec} s (timing.replayWindowSec) it refuses messages` : ''}.`,
      );
    },
  };
}
