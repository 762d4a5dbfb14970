import {
  type GraphErrorDetails,
  InvalidRequestError,
  PageTokenInvalidError,
  PermissionDeniedError,
  type ProductError,
  RateLimitedError,
  UpstreamError,
} from '../domain/errors.js';
import { GRAPH_ERROR_CLASSES, graphCodeRule } from '../domain/graph-error-table.js';
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
 * Whether a Graph error is worth another try, by the class the table gives its code
 * (`GraphErrorClassRule.retry`): rate limits never, since retrying a throttled page prolongs the block;
 * a code the table does not name when Graph says `is_transient` or answers 5xx.
 */
export function isRetryable(error: GraphErrorBody, httpStatus: number): boolean {
  const rule = graphCodeRule(error.code);
  if (rule === undefined) return error.is_transient === true || httpStatus >= 500;
  const retry = GRAPH_ERROR_CLASSES[rule.class].retry;
  return retry === 'always' || (retry === 'if_transient' && error.is_transient === true);
}

/**
 * Turns a Graph error into the product's error, by the class the table gives its code; a code the
 * table does not name is `upstream_error`. `redact` strips anything secret that Graph might echo (it
 * has quoted tokens back in messages before); `usage` gives the time to regain access.
 */
export function classifyGraphError(
  error: GraphErrorBody,
  usage: GraphUsage,
  now: Date,
  redact: (text: string) => string,
): ProductError {
  const graph = graphDetails(error);
  const message = graphText(error.message ?? 'Graph answered with an error.', redact);
  const graphClass = graphCodeRule(error.code)?.class ?? 'transient';
  switch (graphClass) {
    case 'rate_limit': {
      // usage.ts caps Graph's figure at 24 hours; capped again here, since this is where a date is made.
      const minutes = Math.min(usage.regainAccessMinutes, MAX_REGAIN_ACCESS_MINUTES);
      const seconds = minutes > 0 ? Math.ceil(minutes * 60) : DEFAULT_THROTTLE_SECONDS;
      return new RateLimitedError(
        `Graph is throttling this page: ${message}`,
        new Date(now.getTime() + seconds * 1000),
        { graph },
      );
    }
    case 'token_invalid':
      return new PageTokenInvalidError(`Graph rejected the page's access token: ${message}`, {
        graph,
      });
    case 'permission':
      return new PermissionDeniedError(`Graph refused access: ${message}`, { graph });
    case 'bad_request':
      return new InvalidRequestError(undefined, `Graph rejected the request: ${message}`, { graph });
    case 'transient':
      return new UpstreamError(`Graph failed: ${message}`, { graph });
  }
}
