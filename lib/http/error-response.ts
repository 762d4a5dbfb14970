import {
  type ErrorCode,
  InvalidRequestError,
  MethodNotAllowedError,
  ProductError,
  RateLimitedError,
} from '../errors.js';
import { type HttpResponse, jsonResponse } from './responses.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_cursor: 400,
  unknown_page: 404,
  not_found: 404,
  method_not_allowed: 405,
  permission_denied: 403,
  rate_limited: 429,
  page_token_invalid: 502,
  upstream_error: 502,
  upstream_timeout: 504,
  internal_error: 500,
};

/** The contract's error shape, also stored as a failed sync run's `error`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  parameter?: string;
  retry_after_seconds?: number;
  retry_at?: string;
  graph?: { code?: number; error_subcode?: number; fbtrace_id?: string };
}

/** Whether an error is one the product describes to callers; anything else is a bug or an outage. */
export function isProductError(error: unknown): error is ProductError {
  return error instanceof ProductError;
}

/** Seconds until `retryAt`, rounded up and at least 1, as `Retry-After` wants them. */
export function retryAfterSeconds(retryAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
}

/**
 * Describes an error in the contract's shape. Anything that is not a `ProductError` becomes a plain
 * `internal_error`: its message may hold anything (an SDK's, a stack), so it is never shown.
 */
export function describeError(error: unknown, now: Date): ErrorBody {
  if (!isProductError(error)) return { code: 'internal_error', message: 'An internal error occurred.' };
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error instanceof InvalidRequestError && error.parameter !== undefined) body.parameter = error.parameter;
  if (error instanceof RateLimitedError) {
    body.retry_after_seconds = retryAfterSeconds(error.retryAt, now);
    body.retry_at = error.retryAt.toISOString();
  }
  if (error.graph !== undefined && Object.keys(error.graph).length > 0) body.graph = { ...error.graph };
  return body;
}

/** The one mapping of errors to HTTP answers. */
export function errorResponse(error: unknown, now: Date): HttpResponse {
  const body = describeError(error, now);
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError) headers['retry-after'] = String(body.retry_after_seconds);
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  return jsonResponse(STATUS[body.code], { error: body }, headers);
}
