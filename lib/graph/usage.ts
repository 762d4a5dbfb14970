/**
 * Graph's usage headers. `X-App-Usage` and `X-Page-Usage` carry percents of the app's and the page's
 * quota; `X-Business-Use-Case-Usage` carries, per business object, the percents and
 * `estimated_time_to_regain_access` in minutes. Graph leaves them out when usage is near zero, and a
 * header that does not parse is ignored rather than failing a call that succeeded.
 */
export interface GraphUsage {
  /** The highest percent any header reports (0 when none is present). */
  maxPercent: number;
  /** The longest time any header says access is lost for, in minutes (0: not throttled). */
  regainAccessMinutes: number;
}

export const NO_USAGE: GraphUsage = Object.freeze({ maxPercent: 0, regainAccessMinutes: 0 });

type HeaderValue = string | string[] | undefined;

function parseJson(value: HeaderValue): unknown {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The longest wait Graph may impose through a header: 24 hours. Graph's figures are input like any
 * other: `1e9` minutes would block a page until the year 3928, `1e300` makes an invalid date.
 */
export const MAX_REGAIN_ACCESS_MINUTES = 24 * 60;
/** Percents past this say nothing more than 100% does; the cap keeps arithmetic on them finite. */
const MAX_PERCENT = 1_000;

function asNumber(value: unknown, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, max) : 0;
}

function fold(usage: GraphUsage, figures: unknown): GraphUsage {
  if (typeof figures !== 'object' || figures === null) return usage;
  const record = figures as Record<string, unknown>;
  return {
    maxPercent: Math.max(
      usage.maxPercent,
      asNumber(record.call_count, MAX_PERCENT),
      asNumber(record.total_cputime, MAX_PERCENT),
      asNumber(record.total_time, MAX_PERCENT),
    ),
    regainAccessMinutes: Math.max(
      usage.regainAccessMinutes,
      asNumber(record.estimated_time_to_regain_access, MAX_REGAIN_ACCESS_MINUTES),
    ),
  };
}

/** Reads the usage headers of one Graph answer (header names in lower case, as undici gives them). */
export function parseUsageHeaders(headers: Record<string, HeaderValue>): GraphUsage {
  let usage = fold(NO_USAGE, parseJson(headers['x-app-usage']));
  usage = fold(usage, parseJson(headers['x-page-usage']));
  const businessUseCases = parseJson(headers['x-business-use-case-usage']);
  if (typeof businessUseCases === 'object' && businessUseCases !== null) {
    for (const entries of Object.values(businessUseCases)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) usage = fold(usage, entry);
    }
  }
  return usage;
}
