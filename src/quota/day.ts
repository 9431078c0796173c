/** The local calendar day a quota counts in: YYYY-MM-DD in the configured time zone, so it resets at local midnight. */

/** Per time zone: its formatter, and the last minute asked with its day (the day only changes on a minute). */
const zones = new Map<string, { format: Intl.DateTimeFormat; minute: number; day: string }>();

export function localDay(epochMs: number, timeZone: string): string {
  let zone = zones.get(timeZone);
  if (!zone) {
    // en-CA writes dates as YYYY-MM-DD.
    const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    zone = { format, minute: Number.NaN, day: '' };
    zones.set(timeZone, zone);
  }
  const minute = Math.floor(epochMs / 60_000);
  if (minute !== zone.minute) {
    zone.minute = minute;
    zone.day = zone.format.format(epochMs);
  }
  return zone.day;
}

/** A tally lives past its day in every time zone, then the store forgets it. */
export const TALLY_TTL_MS = 48 * 60 * 60_000;

export const messagesTally = (day: string) => `quota:messages:${day}`;
export const tokensTally = (day: string) => `quota:tokens:${day}`;
