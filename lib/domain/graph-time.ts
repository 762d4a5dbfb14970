/**
 * Graph's times: `2026-11-20T10:00:00+0000`, one-second resolution. Compared as whole epoch seconds so
 * that a zone written another way can never reorder them.
 */
export function graphSeconds(time: string): number {
  const iso = time.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not a Graph time: ${time}`);
  return Math.floor(ms / 1000);
}

/** A sortable key for an instant at second resolution: `2026-11-20T10:00:00Z`. */
export function sortableSecond(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
