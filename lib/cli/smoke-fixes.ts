import {
  ApiError,
  type ApiErrorCode,
  ApiRedirectError,
  ApiResponseError,
  ApiResponseTooLargeError,
  ApiUnreachableError,
  type ClientAuth,
  ClientConfigurationError,
} from '../client/index.js';

/** What `npm run smoke` tells the operator to do about a failed check (`smoke.ts` runs the checks). */

/** What to do about an error, in the operator's terms. */
export function fixFor(error: unknown, auth: ClientAuth, pageId: string | undefined): string {
  if (error instanceof ApiUnreachableError)
    return `wrong URL or no network: check --url (the stack's ApiUrl output) and that ${error.origin} is reachable from here`;
  if (error instanceof ClientConfigurationError)
    return auth.type === 'sigv4' && /region/i.test(error.message)
      ? 'pass --region <region> (or set AWS_REGION); for the local runtime (npm start), pass --no-auth instead'
      : 'check --url';
  if (error instanceof ApiRedirectError)
    return `--url redirects${error.location === undefined ? '' : ` to ${error.location}`}; this API never does: pass the stack's ApiUrl output itself (redirects are not followed, so your signature never goes elsewhere)`;
  if (error instanceof ApiResponseTooLargeError)
    return `the answer is larger than this API ever sends (${error.maxBytes} bytes): check --url (the stack ApiUrl output)`;
  if (error instanceof ApiResponseError)
    return 'the answer is not this API: check --url (the stack ApiUrl output)';
  if (error instanceof Error && error.name === 'CredentialsProviderError')
    return 'no AWS credentials found: set AWS_PROFILE (or run aws sso login), or use --jwt <file> / --no-auth';
  if (!(error instanceof ApiError)) return 'unexpected: run again; if it persists, report it with this line';
  if (error.code === undefined) return gatewayFix(error, auth);
  return fixForCode(error.code, {
    pageId,
    retryAfterSeconds: error.retryAfterSeconds,
    graphCode: error.graph?.code,
    parameter: error.parameter,
  });
}

/** What to do about one of the contract's error codes, from an answer or from a failed sync run. */
export function fixForCode(
  code: ApiErrorCode,
  details: {
    pageId?: string | undefined;
    retryAfterSeconds?: number | undefined;
    graphCode?: number | undefined;
    parameter?: string | undefined;
  },
): string {
  const retry =
    details.retryAfterSeconds === undefined ? '' : ` (retry after ${details.retryAfterSeconds} s)`;
  switch (code) {
    case 'unknown_page':
      return `Page ${details.pageId ?? ''} is not registered here: register it (npm run pages -- add <pageId>) or pass another --page`;
    case 'unavailable':
      return `the API cannot reach DynamoDB or Secrets Manager in time${retry}: check the table (TableName output), the secrets and the functions' role in CloudWatch logs`;
    case 'page_token_invalid':
      return "Graph rejects the Page's token: store a new one (npm run pages -- add <pageId>, or put-secret-value)";
    case 'permission_denied':
      return `Graph refuses this Page's token (Graph code ${details.graphCode ?? '?'}): the token needs the Page's messaging permissions`;
    case 'rate_limited':
      return `Graph throttles this Page${retry}: wait, then run again`;
    case 'upstream_error':
    case 'upstream_timeout':
      return 'Graph failed or was too slow: run again; if it persists, check graphApiBaseUrl and the API function logs';
    case 'internal_error':
      return "the API failed unexpectedly: see the API function's CloudWatch logs";
    default:
      return `the API refused the request (${code}${details.parameter ? `, ${details.parameter}` : ''}): is it this version?`;
  }
}

// Answers without the contract's body come from API Gateway itself (or whatever is at that URL).
function gatewayFix(error: ApiError, auth: ClientAuth): string {
  const refused = error.status === 401 || error.status === 403;
  if (refused && auth.type === 'sigv4')
    return 'API Gateway refused the signature: give your identity execute-api:Invoke on this API (IAM policy, see the README), check aws sts get-caller-identity, and --region if the URL is a custom domain';
  if (refused && auth.type === 'jwt')
    return "API Gateway refused the JWT: it must be current, from the stack's jwtIssuer, for one of its jwtAudience";
  if (refused) return 'the API requires authorization: drop --no-auth (SigV4) or pass --jwt <file>';
  if (error.status === 404)
    return 'no such route: --url must be the API base URL (the ApiUrl output, with its stage path if any)';
  return `not an answer of this API (${error.status} ${error.gatewayMessage ?? ''}): check --url`.replace(
    ' )',
    ')',
  );
}
