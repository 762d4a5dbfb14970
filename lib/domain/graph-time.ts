/**
 * Graph's times: `2026-11-20T10:00:00+0000`, one-second resolution. Compared as whole epoch seconds so
 * that a zone written another way can never reorder them.
 *
 * Parsed strictly: `Date.parse` takes almost anything (`"1"`, years -1 and 275760), and one such value
 * as a high-water mark would freeze or flood the index. Graph writes a four-digit year, seconds and a
 * zone; nothing before Facebook existed (2004) is one of its conversations.
 */
const GRAPH_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;
/** The same format as a JSON Schema `pattern`, so that the OpenAPI document states what is checked here. */
export const GRAPH_TIME_PATTERN = GRAPH_TIME.source;
const EARLIEST_SECONDS = Date.UTC(2004, 0, 1) / 1000;
const LATEST_SECONDS = Date.UTC(10_000, 0, 1) / 1000;

/** Epoch seconds of a time in Graph's format, or undefined for anything else. */
export function parseGraphTime(time: unknown): number | undefined {
  if (typeof time !== 'string') return undefined;
  const match = GRAPH_TIME.exec(time);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = fields;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-31 over into March: a real date reads back the same fields.
  const check = new Date(utc);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const offsetMinutes = zone === 'Z' ? 0 : zoneMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const seconds = utc / 1000 - offsetMinutes * 60;
  return seconds >= EARLIEST_SECONDS && seconds < LATEST_SECONDS ? seconds : undefined;
}

function zoneMinutes(zone: string): number | undefined {
  const digits = zone.replace(':', '');
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 14 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** Epoch seconds of a Graph time; throws for a value that is not one (check with `parseGraphTime` first). */
export function graphSeconds(time: string): number {
  const seconds = parseGraphTime(time);
  if (seconds === undefined) throw new RangeError('Not a time in Graph format.');
  return seconds;
}

/** A sortable key for an instant at second resolution: `2026-11-20T10:00:00Z`. */
export function sortableSecond(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
