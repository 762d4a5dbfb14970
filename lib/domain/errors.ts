/**
 * The product's one error hierarchy. Each class carries the contract's `error.code`; the HTTP status
 * and body are decided in one place (`lib/http/error-response.ts`), never where an error is thrown.
 * Messages are written for the API's callers: they never carry a token, a secret or a Graph URL.
 */

/** Graph's own identifiers of an error, passed on to callers under `error.graph`. */
export interface GraphErrorDetails {
  code?: number;
  error_subcode?: number;
  fbtrace_id?: string;
}

/** Every `error.code` of the contract; the OpenAPI document and the HTTP mapping read this list. */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_cursor',
  'unknown_page',
  'page_token_invalid',
  'permission_denied',
  'invalid_signature',
  'forbidden',
  'payload_too_large',
  'rate_limited',
  'upstream_error',
  'upstream_timeout',
  'unavailable',
  'not_found',
  'method_not_allowed',
  'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class ProductError extends Error {
  abstract readonly code: ErrorCode;
  readonly graph: GraphErrorDetails | undefined;

  constructor(message: string, options: { cause?: unknown; graph?: GraphErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.graph = options.graph;
  }
}

export class InvalidRequestError extends ProductError {
  readonly code = 'invalid_request';
  constructor(
    /** The path or query parameter at fault, when one is; Graph's own rejections name none. */
    readonly parameter: string | undefined,
    message: string,
    options?: { cause?: unknown; graph?: GraphErrorDetails },
  ) {
    super(message, options);
  }
}

export class InvalidCursorError extends ProductError {
  readonly code = 'invalid_cursor';
  constructor(
    message = 'The cursor is unknown, expired, or belongs to another page or query. Start again from the first page.',
    options?: { cause?: unknown; graph?: GraphErrorDetails },
  ) {
    super(message, options);
  }
}

export class UnknownPageError extends ProductError {
  readonly code = 'unknown_page';
  constructor(
    readonly pageId: string,
    options?: { cause?: unknown },
  ) {
    super(`No access token is configured for page ${pageId}.`, options);
  }
}

export class PageTokenInvalidError extends ProductError {
  readonly code = 'page_token_invalid';
}

/**
 * A token Graph rejected before, whose secret has not changed since: refused without calling Graph.
 * The sync records its runs as `skipped` (nothing was tried), the API answers it like any rejection.
 */
export class KnownInvalidTokenError extends PageTokenInvalidError {}

export class PermissionDeniedError extends ProductError {
  readonly code = 'permission_denied';
}

/** A webhook delivery whose `X-Hub-Signature-256` is missing or does not match its bytes. */
export class InvalidSignatureError extends ProductError {
  readonly code = 'invalid_signature';
  constructor(
    message = 'The webhook signature (X-Hub-Signature-256) is missing or does not match the body.',
  ) {
    super(message);
  }
}

/** A webhook verification request (`hub.mode`, `hub.verify_token`, `hub.challenge`) that is not ours. */
export class ForbiddenError extends ProductError {
  readonly code = 'forbidden';
  constructor(message = 'The webhook verification request is incomplete or its verify token is wrong.') {
    super(message);
  }
}

/** A webhook body over the receiver's limit (`MAX_DELIVERY_BYTES`): refused before it is read. */
export class PayloadTooLargeError extends ProductError {
  readonly code = 'payload_too_large';
  constructor(message = 'The request body is larger than this route accepts.') {
    super(message);
  }
}

export class RateLimitedError extends ProductError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    /** When the caller may try again: an instant, so that the delay can be recomputed on every answer. */
    readonly retryAt: Date,
    options?: { cause?: unknown; graph?: GraphErrorDetails },
  ) {
    super(message, options);
  }
}

export class UpstreamError extends ProductError {
  readonly code = 'upstream_error';
}

export class UpstreamTimeoutError extends ProductError {
  readonly code = 'upstream_timeout';
}

/**
 * Our own store (DynamoDB) or Secrets Manager did not answer in time or could not be reached: a fault
 * of this deployment's dependencies, not of the request or of Graph. Retrying after a moment may work.
 */
export class UnavailableError extends ProductError {
  readonly code = 'unavailable';
  /** Seconds a caller should wait before trying again (`Retry-After`). */
  static readonly RETRY_AFTER_SECONDS = 5;
  constructor(
    message = 'A dependency of this API (its store or its secrets) is unavailable. Try again shortly.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class RouteNotFoundError extends ProductError {
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends ProductError {
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: readonly string[]) {
    super(`This route answers ${allowed.join(', ')} only.`);
  }
}

/** Configuration that cannot work: thrown at cold start, so a bad deployment fails loudly and early. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
