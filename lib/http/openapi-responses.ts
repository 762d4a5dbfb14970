import { UnavailableError } from '../domain/errors.js';
import { graphErrorSituation } from '../domain/graph-error-table.js';

/**
 * The error answers of the OpenAPI document (`components.responses` and `components.headers`), and
 * which of them each kind of operation gives. Behind API Gateway some statuses may also come from the
 * gateway itself, with its own `{"message": ...}` body: those answers say so and admit both shapes.
 */

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (body: object) => ({ content: { 'application/json': { schema: body } } });
const ours = json(schema('Error'));
const oursOrGateway = json({ oneOf: [schema('Error'), schema('GatewayError')] });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

export const headers = {
  RetryAfter: {
    description: `Seconds to wait before trying again. Always on this API's own 429 and 503 answers (503: ${UnavailableError.RETRY_AFTER_SECONDS}); API Gateway's own answers carry none.`,
    schema: { type: 'integer', minimum: 1 },
  },
  Allow: {
    description: 'The methods this path answers.',
    required: true,
    schema: { type: 'string', examples: ['GET, POST'] },
  },
} as const;

export const responses = {
  InvalidRequest: {
    description: `invalid_request: a bad path or query parameter, named in \`parameter\` (an unknown or repeated one too), or a query Graph refused: ${graphErrorSituation('bad_request')}. invalid_cursor: a cursor that is unknown, expired, tampered with, or from another page or query; start again from the first page.`,
    ...ours,
  },
  Unauthorized: {
    description:
      'With JWT authorization only: API Gateway refused a request without a valid bearer token, with its own body.',
    ...json(schema('GatewayError')),
  },
  GatewayForbidden: {
    description:
      'API Gateway refused the request, with its own body: with IAM authorization, not signed with SigV4 or not allowed execute-api:Invoke; with JWT, a token without a required scope.',
    ...json(schema('GatewayError')),
  },
  PermissionDenied: {
    description: `permission_denied: Graph refused access: ${graphErrorSituation('permission')}. forbidden: the JWT's Page claim (JWT_PAGE_IDS_CLAIM) does not list this Page. Or API Gateway refused the request (see GatewayForbidden), with its own body.`,
    ...oursOrGateway,
  },
  PageForbidden: {
    description:
      "forbidden: the JWT's Page claim (JWT_PAGE_IDS_CLAIM) does not list this Page, or the claim is missing. Or API Gateway refused the request (see GatewayForbidden), with its own body.",
    ...oursOrGateway,
  },
  UnknownPage: {
    description:
      'unknown_page: no token is configured for this page. Or not_found, or API Gateway\'s own {"message": "Not Found"}, for a path this API does not have.',
    ...oursOrGateway,
  },
  MethodNotAllowed: {
    description:
      'method_not_allowed, from the local runtime. Behind API Gateway, which routes only the methods documented here, a wrong method is its own 404 {"message": "Not Found"} instead.',
    headers: { Allow: header('Allow') },
    ...ours,
  },
  RateLimited: {
    description: `rate_limited: Graph throttles this page, ${graphErrorSituation('rate_limit')}, or this API still waits out such a throttle without calling Graph: try after Retry-After (also in the body as retry_after_seconds and retry_at). Or API Gateway's stage throttle, with its own body and no Retry-After.`,
    headers: { 'Retry-After': header('RetryAfter') },
    ...oursOrGateway,
  },
  GatewayThrottled: {
    description: "API Gateway's stage throttle (too many requests across the API), with its own body.",
    ...json(schema('GatewayError')),
  },
  InternalError: {
    description:
      'internal_error: a fault of this API; the body has no detail (the log has it). Or API Gateway could not run the function, with its own body.',
    ...oursOrGateway,
  },
  BadGateway: {
    description: `page_token_invalid: Graph rejected the page token, ${graphErrorSituation('token_invalid')}, after one re-read of its secret, or it was rejected before and its secret has not changed since (answered without calling Graph). upstream_error: Graph failed, ${graphErrorSituation('transient')}, after retries; or at once, an answer over 5 MB.`,
    ...ours,
  },
  Unavailable: {
    description:
      "unavailable: this API's own store (DynamoDB) or Secrets Manager did not answer within 3 seconds; try after Retry-After. Or API Gateway could not reach the function, with its own body.",
    headers: { 'Retry-After': header('RetryAfter') },
    ...oursOrGateway,
  },
  UpstreamTimeout: {
    description:
      'upstream_timeout: Graph was too slow after retries, or the request ran out of the time this API allows; a retry may succeed.',
    ...ours,
  },
} as const;

const answer = (name: keyof typeof responses) => ({ $ref: `#/components/responses/${name}` });

/**
 * The error answers of one operation, by what it does: whether it takes input, names a page, calls
 * Graph, and reads the store or secrets. Every operation may meet API Gateway's
 * authorizer and throttle and a fault of its own (500); a wrong method is 405.
 */
export function errorAnswers(does: {
  input: boolean;
  page: boolean;
  graph: boolean;
  store: boolean;
}): Record<string, { $ref: string }> {
  return {
    ...(does.input ? { '400': answer('InvalidRequest') } : {}),
    '401': answer('Unauthorized'),
    '403': answer(does.graph ? 'PermissionDenied' : does.page ? 'PageForbidden' : 'GatewayForbidden'),
    ...(does.page ? { '404': answer('UnknownPage') } : {}),
    '405': answer('MethodNotAllowed'),
    '429': answer(does.graph ? 'RateLimited' : 'GatewayThrottled'),
    '500': answer('InternalError'),
    ...(does.graph ? { '502': answer('BadGateway') } : {}),
    ...(does.store ? { '503': answer('Unavailable') } : {}),
    ...(does.graph ? { '504': answer('UpstreamTimeout') } : {}),
  };
}
