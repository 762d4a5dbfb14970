import { describeError } from '../domain/error-body.js';
import {
  type ErrorCode,
  MethodNotAllowedError,
  RateLimitedError,
  UnavailableError,
} from '../domain/errors.js';
import { type HttpResponse, jsonResponse } from './responses.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_cursor: 400,
  unknown_page: 404,
  not_found: 404,
  method_not_allowed: 405,
  permission_denied: 403,
  invalid_signature: 403,
  forbidden: 403,
  payload_too_large: 413,
  rate_limited: 429,
  page_token_invalid: 502,
  upstream_error: 502,
  upstream_timeout: 504,
  unavailable: 503,
  internal_error: 500,
};

/** The one mapping of errors to HTTP answers. */
export function errorResponse(error: unknown, now: Date): HttpResponse {
  const body = describeError(error, now);
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError) headers['retry-after'] = String(body.retry_after_seconds);
  if (error instanceof UnavailableError)
    headers['retry-after'] = String(UnavailableError.RETRY_AFTER_SECONDS);
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  return jsonResponse(STATUS[body.code], { error: body }, headers);
}
