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
      // Date has whole seconds: WeChat's time at our midpoint lies within [date, date + 1 s), ours within sent…received.
      // Only a difference outside both margins is a skew we can be sure of.
      const ahead = sent - (serverMs + 1000);
      const behind = serverMs - received;
      const skewMs = ahead > 0 ? ahead : behind > 0 ? -behind : 0;
      const way = skewMs > 0 ? 'ahead of' : 'behind';
      const amount = `${(Math.abs(skewMs) / 1000).toFixed(1)} s`;
      if (skewMs === 0) return ok(`in step with ${host} (to the second of its Date header)`);
      if (Math.abs(skewMs) <= allowedSkewMs) {
        return ok(`${amount} ${way} ${host}, within the ${(allowedSkewMs / 1000).toFixed(1)} s allowed`);
      }
      const refused = replayWindowSec > 0 && Math.abs(skewMs) > replayWindowSec * 1000;
      return fail(
        `this clock is ${amount} ${way} ${host}${refused ? ': every message will be refused as a replay' : ''}`,
        `Sync the clock (timedatectl set-ntp true, chrony or ntpd). The bot counts WeChat's retries from CreateTime and allows ${(allowedSkewMs / 1000).toFixed(1)} s (timing.clockSkewMs)${replayWindowSec > 0 ? `; beyond ${replayWindowSec} s (timing.replayWindowSec) it refuses messages` : ''}.`,
      );
    },
  };
}
