import {
  type GraphErrorDetails,
  InvalidRequestError,
  PageTokenInvalidError,
  PermissionDeniedError,
  type ProductError,
  RateLimitedError,
  UpstreamError,
} from '../domain/errors.js';
import { type GraphUsage, MAX_REGAIN_ACCESS_MINUTES } from './usage.js';

/** Graph's error envelope: `{"error": {message, type, code, error_subcode, is_transient, fbtrace_id}}`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

const TOKEN_CODES = new Set([102, 104, 190]);
const RATE_LIMIT_CODES = new Set([
  4, 17, 32, 341, 613, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80014,
]);
const PERMISSION_CODES = new Set([3, 10, 230, 368]);
const INVALID_REQUEST_CODES = new Set([100, 2500]);
const TRANSIENT_CODES = new Set([1, 2]);

/** When Graph throttles without saying for how long, wait this long before calling that page again. */
export const DEFAULT_THROTTLE_SECONDS = 60;

/** The longest string from Graph passed on to a caller, the state or a log. */
export const MAX_GRAPH_TEXT_CHARS = 1_000;
// Graph's trace ids are a few dozen base64url-like characters; anything else is not one.
const FBTRACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A string from Graph made fit to pass on: every secret this process knows scrubbed (Graph has echoed
 * tokens back), then cut to `MAX_GRAPH_TEXT_CHARS`. Scrubbed first, so a cut never leaves part of one.
 */
export function graphText(text: string, redact: (text: string) => string): string {
  const scrubbed = redact(text);
  return scrubbed.length > MAX_GRAPH_TEXT_CHARS
    ? `${scrubbed.slice(0, MAX_GRAPH_TEXT_CHARS - 1)}…`
    : scrubbed;
}

/** A trace id only if it looks like one and holds no secret; otherwise it is dropped, not shown. */
function traceId(value: unknown, redact: (text: string) => string): string | undefined {
  if (typeof value !== 'string' || !FBTRACE_ID.test(value)) return undefined;
  return redact(value) === value ? value : undefined;
}

/** Graph's codes are small whole numbers; `1e300` or `"190"` is not one. */
function graphCode(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Reads the error envelope out of a parsed body; undefined when the body is not one. Every string is
 * scrubbed with `redact` and cut to size here, at the edge, so that nothing downstream (an answer, the
 * sync state, a log line) can carry a raw one.
 */
export function readGraphError(
  body: unknown,
  redact: (text: string) => string = (text) => text,
): GraphErrorBody | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return undefined;
  const record = error as Record<string, unknown>;
  return {
    message: typeof record.message === 'string' ? graphText(record.message, redact) : undefined,
    type: typeof record.type === 'string' ? graphText(record.type, redact) : undefined,
    code: graphCode(record.code),
    error_subcode: graphCode(record.error_subcode),
    is_transient: record.is_transient === true,
    fbtrace_id: traceId(record.fbtrace_id, redact),
  };
}

export function graphDetails(error: GraphErrorBody): GraphErrorDetails {
  const details: GraphErrorDetails = {};
  if (error.code !== undefined) details.code = error.code;
  if (error.error_subcode !== undefined) details.error_subcode = error.error_subcode;
  if (error.fbtrace_id !== undefined) details.fbtrace_id = error.fbtrace_id;
  return details;
}

/**
 * Whether a Graph error is worth another try. Graph's HTTP status says little (most errors are 400,
 * code 4 is 403, transient ones 500, never 429), so the code decides; rate limits never retry, since
 * retrying a throttled page prolongs the block.
 */
export function isRetryable(error: GraphErrorBody, httpStatus: number): boolean {
  if (error.code !== undefined && RATE_LIMIT_CODES.has(error.code)) return false;
  if (error.code !== undefined && TRANSIENT_CODES.has(error.code)) return true;
  if (error.is_transient === true) return true;
  const classified = error.code !== undefined && isClassified(error.code);
  return httpStatus >= 500 && !classified;
}

function isClassified(code: number): boolean {
  return (
    TOKEN_CODES.has(code) ||
    PERMISSION_CODES.has(code) ||
    INVALID_REQUEST_CODES.has(code) ||
    RATE_LIMIT_CODES.has(code) ||
    (code >= 200 && code <= 299)
  );
}

/**
 * Turns a Graph error into the product's error. `redact` strips anything secret that Graph might echo
 * (it has quoted tokens back in messages before); `usage` gives the time to regain access.
 */
export function classifyGraphError(
  error: GraphErrorBody,
  usage: GraphUsage,
  now: Date,
  redact: (text: string) => string,
): ProductError {
  const graph = graphDetails(error);
  const code = error.code;
  const message = graphText(error.message ?? 'Graph answered with an error.', redact);
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) {
    // usage.ts caps Graph's figure at 24 hours; capped again here, since this is where a date is made.
    const minutes = Math.min(usage.regainAccessMinutes, MAX_REGAIN_ACCESS_MINUTES);
    const seconds = minutes > 0 ? Math.ceil(minutes * 60) : DEFAULT_THROTTLE_SECONDS;
    return new RateLimitedError(
      `Graph is throttling this page: ${message}`,
      new Date(now.getTime() + seconds * 1000),
      { graph },
    );
  }
  if (code !== undefined && TOKEN_CODES.has(code)) {
    return new PageTokenInvalidError(`Graph rejected the page's access token: ${message}`, { graph });
  }
  if (code !== undefined && (PERMISSION_CODES.has(code) || (code >= 200 && code <= 299))) {
    return new PermissionDeniedError(`Graph refused access: ${message}`, { graph });
  }
  if (code !== undefined && INVALID_REQUEST_CODES.has(code)) {
    return new InvalidRequestError(undefined, `Graph rejected the request: ${message}`, { graph });
  }
  return new UpstreamError(`Graph failed: ${message}`, { graph });
}
