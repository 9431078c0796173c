/** The local calendar day a quota counts in: YYYY-MM-DD in the configured time zone, so it resets at local midnight. */

const formats = new Map<string, Intl.DateTimeFormat>();

export function localDay(epochMs: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    // en-CA writes dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, format);
  }
  return format.format(epochMs);
}

/** A tally lives past its day in every time zone, then the store forgets it. */
export const TALLY_TTL_MS = 48 * 60 * 60_000;

export const messagesTally = (day: string) => `quota:messages:${day}`;
export const tokensTally = (day: string) => `quota:tokens:${day}`;
