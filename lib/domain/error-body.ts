import { InvalidRequestError, ProductError, RateLimitedError } from './errors.js';
import type { ErrorBody } from './shapes/common.js';

/** The contract's error shape (declared with the other HTTP shapes). */
export type { ErrorBody } from './shapes/common.js';

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
