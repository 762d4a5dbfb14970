import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CallTimeouts, sdkCallLimits } from '../config/call-timeouts.js';
import { UnavailableError } from '../domain/errors.js';

export interface DynamoSettings {
  /** Another endpoint: the embedded DynamoDB locally, DynamoDB Local elsewhere. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /**
   * Default `DYNAMO_TIMEOUTS`, for AWS and for any endpoint a user names alike. Only the embedded
   * DynamoDB that `npm start` starts itself passes `EMBEDDED_DYNAMO_TIMEOUTS`.
   */
  timeouts?: CallTimeouts;
  /** Requests carry a fixed SigV4-shaped header instead of a signature: for the embedded DynamoDB only. */
  unsigned?: boolean;
}

/**
 * The embedded DynamoDB (dynalite) checks that a request carries a SigV4 Authorization header and a
 * date, not what they sign; signing each request there cost about a tenth of `npm start`'s CPU per
 * sync run (hashing the body, deriving the key) and bought nothing.
 */
const UNSIGNED = Object.freeze({
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization =
      'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0';
    request.headers['x-amz-date'] = '20260101T000000Z';
    return request;
  },
});

/**
 * How long a DynamoDB call may take, wherever DynamoDB is. DynamoDB answers in milliseconds; a call
 * that has not connected within 800 ms or answered within 1 s will not. The SDK counts `requestTimeout`
 * from the start of each attempt (connecting included) and waits at most 200 ms before the second, so
 * a call gives up within 2.2 s, on a fresh connection or a kept-alive one that stopped answering, and
 * the request answers `503` within the contract's 3 seconds instead of hanging until API Gateway's
 * 29 s cut-off. These are not a setting: the 3 seconds are the contract's for every endpoint.
 */
export const DYNAMO_TIMEOUTS: CallTimeouts = Object.freeze({
  connectionTimeout: 800,
  requestTimeout: 1_000,
  maxAttempts: 2,
});

/**
 * The embedded DynamoDB that `npm start` runs inside its own process (on a thread of its own; the tests'
 * on their event loop) shares that process's CPU, and can pause for seconds under load: that is not an
 * outage worth a 503. Nothing else gets
 * these. An endpoint a user names (DynamoDB Local, a proxy, a remote one) can hang like any server, so
 * it gets `DYNAMO_TIMEOUTS` and the contract's 3-second `503`.
 */
export const EMBEDDED_DYNAMO_TIMEOUTS: CallTimeouts = Object.freeze({
  connectionTimeout: 2_000,
  requestTimeout: 15_000,
  maxAttempts: 2,
});

/** Network errors that say DynamoDB could not be reached, as Node and the SDK name them. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/** Whether a DynamoDB error is an outage (unreachable, too slow, throttled, 5xx) rather than a bug. */
export function isStoreOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, $metadata, $retryable } = error as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  return (
    error.name === 'TimeoutError' ||
    (code !== undefined && UNREACHABLE_CODES.has(code)) ||
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    $retryable !== undefined
  );
}

/**
 * The container's one DynamoDB client, with timeouts. The SDK keeps connections alive by default; a
 * local endpoint gets fixed dummy credentials, since the embedded DynamoDB checks none and a
 * developer's machine may have no AWS profile. An outage surfaces as `UnavailableError` (503 with
 * `Retry-After`), after the SDK's own retries, so every store and caller sees one kind of error.
 */
export function createDynamoClient(settings: DynamoSettings = {}): DynamoDBClient {
  const local =
    settings.endpoint === undefined
      ? {}
      : {
          endpoint: settings.endpoint,
          region: settings.region ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          ...(settings.unsigned === true ? { signer: UNSIGNED } : {}),
        };
  const client = new DynamoDBClient({
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...local,
    ...sdkCallLimits(settings.timeouts ?? DYNAMO_TIMEOUTS),
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error: unknown) {
        if (isStoreOutage(error)) {
          throw new UnavailableError("The API's store (DynamoDB) is unavailable. Try again shortly.", {
            cause: error,
          });
        }
        throw error;
      }
    },
    // The outermost step: the SDK's retries have run by the time an error gets here.
    { step: 'initialize', name: 'storeOutageAsUnavailable' },
  );
  return client;
}
