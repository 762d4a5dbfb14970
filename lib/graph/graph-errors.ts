import {
  type GraphErrorDetails,
  InvalidRequestError,
  PageTokenInvalidError,
  PermissionDeniedError,
  type ProductError,
  RateLimitedError,
  UpstreamError,
} from '../domain/errors.js';
import type { GraphUsage } from './usage.js';

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

/** Reads the error envelope out of a parsed body; undefined when the body is not one. */
export function readGraphError(body: unknown): GraphErrorBody | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return {
    message: typeof record.message === 'string' ? record.message : undefined,
    type: typeof record.type === 'string' ? record.type : undefined,
    code: number(record.code),
    error_subcode: number(record.error_subcode),
    is_transient: record.is_transient === true,
    fbtrace_id: typeof record.fbtrace_id === 'string' ? record.fbtrace_id : undefined,
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
  const message = redact(error.message ?? 'Graph answered with an error.');
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) {
    const seconds =
      usage.regainAccessMinutes > 0 ? Math.ceil(usage.regainAccessMinutes * 60) : DEFAULT_THROTTLE_SECONDS;
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
