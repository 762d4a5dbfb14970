import type { components } from './api-types.js';

/** The contract's error body (`error` of every error answer), as the OpenAPI document declares it. */
export type ApiErrorBody = components['schemas']['Error']['error'];
/** Every `error.code` the API answers with. */
export type ApiErrorCode = ApiErrorBody['code'];

/** What a request was, for messages and logs: never its query string, which may carry cursors or user ids. */
export interface ApiRequestSummary {
  method: string;
  /** The path below the base URL, without its query. */
  path: string;
}

/**
 * The API answered, but not with success. `code` is the contract's `error.code`, or `undefined` when the
 * answer did not come from this API's code: API Gateway's own `403 {"message":"Forbidden"}` for a missing
 * or wrong signature, `401` for a missing JWT, or a proxy's page. `gatewayMessage` then holds what it said.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode | undefined;
  /** The path or query parameter at fault (`invalid_request`). */
  readonly parameter: string | undefined;
  /** Graph's own `code`, `error_subcode` and `fbtrace_id`, when Graph caused the error. */
  readonly graph: ApiErrorBody['graph'];
  /** Seconds to wait before retrying: the `Retry-After` header (429, 503), else the body's own. */
  readonly retryAfterSeconds: number | undefined;
  /** The message of an answer that had no contract body (API Gateway's, a proxy's). */
  readonly gatewayMessage: string | undefined;
  readonly request: ApiRequestSummary;

  constructor(init: {
    status: number;
    body: ApiErrorBody | undefined;
    retryAfterSeconds: number | undefined;
    gatewayMessage: string | undefined;
    request: ApiRequestSummary;
  }) {
    const { status, body, request } = init;
    const what = body ? `${body.code}: ${body.message}` : (init.gatewayMessage ?? 'no error body');
    super(`${request.method} ${request.path} answered ${status} (${what})`);
    this.name = new.target.name;
    this.status = status;
    this.code = body?.code;
    this.parameter = body?.parameter;
    this.graph = body?.graph;
    this.retryAfterSeconds = init.retryAfterSeconds ?? body?.retry_after_seconds;
    this.gatewayMessage = init.gatewayMessage;
    this.request = request;
  }
}

/**
 * No answer at all: the host is unknown, the port closed, TLS failed or the request timed out. The
 * underlying error is the `cause`; usually the base URL is wrong or the network is in the way.
 */
export class ApiUnreachableError extends Error {
  constructor(
    readonly origin: string,
    readonly request: ApiRequestSummary,
    options: { cause: unknown },
  ) {
    super(
      `${request.method} ${request.path}: no answer from ${origin} (${describeCause(options.cause)})`,
      options,
    );
    this.name = new.target.name;
  }
}

/**
 * An answer this API never gives: a success status whose body is not the JSON the contract promises, a
 * redirect (`ApiRedirectError`) or a body over the client's size cap (`ApiResponseTooLargeError`).
 */
export class ApiResponseError extends Error {
  constructor(
    readonly status: number,
    readonly request: ApiRequestSummary,
    message: string,
  ) {
    super(`${request.method} ${request.path} answered ${status}: ${message}`);
    this.name = new.target.name;
  }
}

/**
 * A 3xx answer. The API never redirects, and the client never follows one: following would send the
 * request's signature headers (`x-amz-date`, `x-amz-security-token`, ...) or its JWT to another host and
 * take that host's answer as the API's. `location` holds only the origin the answer pointed to.
 */
export class ApiRedirectError extends ApiResponseError {
  constructor(
    status: number,
    request: ApiRequestSummary,
    readonly location: string | undefined,
  ) {
    super(
      status,
      request,
      `a redirect${location === undefined ? '' : ` to ${location}`}, not followed (use the final URL as the base URL)`,
    );
  }
}

/** An answer whose body is longer than the client's cap (`maxResponseBytes`): reading stopped there. */
export class ApiResponseTooLargeError extends ApiResponseError {
  constructor(
    status: number,
    request: ApiRequestSummary,
    readonly maxBytes: number,
  ) {
    super(status, request, `the body is larger than ${maxBytes} bytes; reading stopped there`);
  }
}

/** Whether `error` is an answer of this API, optionally with one of the given codes. */
export function isApiError(error: unknown, ...codes: ApiErrorCode[]): error is ApiError {
  return (
    error instanceof ApiError &&
    (codes.length === 0 || (error.code !== undefined && codes.includes(error.code)))
  );
}

// fetch rejects with a bare "fetch failed" TypeError; the useful part (ECONNREFUSED, ENOTFOUND) is its cause.
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause;
  if (inner instanceof Error) {
    const code = (inner as NodeJS.ErrnoException).code;
    return code ? `${code}: ${inner.message}` : inner.message;
  }
  return cause.name === 'TimeoutError' ? 'timed out' : cause.message;
}
