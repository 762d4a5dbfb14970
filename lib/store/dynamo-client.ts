import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UnavailableError } from '../domain/errors.js';

export interface DynamoSettings {
  /** Another endpoint: the embedded DynamoDB locally, DynamoDB Local elsewhere. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Defaults to `DYNAMO_TIMEOUTS` in AWS and `LOCAL_DYNAMO_TIMEOUTS` for another endpoint. */
  timeouts?: DynamoTimeouts;
}

export interface DynamoTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
  maxAttempts: number;
}

/**
 * How long a DynamoDB call may take. DynamoDB answers in milliseconds; a call that has not connected
 * within 800 ms or answered within 1 s will not, and two attempts of it still leave a request time to
 * answer `503` within the contract's 3 seconds instead of hanging until API Gateway's 29 s cut-off.
 * `throwOnRequestTimeout` makes the request timeout abort the call: without it the SDK only logs.
 */
export const DYNAMO_TIMEOUTS: DynamoTimeouts = Object.freeze({
  connectionTimeout: 800,
  requestTimeout: 1_000,
  maxAttempts: 2,
});

/**
 * A DynamoDB on this machine (the embedded one, DynamoDB Local) shares its CPU with everything else
 * and can pause for seconds under load; it is not an outage worth a 503.
 */
export const LOCAL_DYNAMO_TIMEOUTS: DynamoTimeouts = Object.freeze({
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
  const { connectionTimeout, requestTimeout, maxAttempts } =
    settings.timeouts ?? (settings.endpoint === undefined ? DYNAMO_TIMEOUTS : LOCAL_DYNAMO_TIMEOUTS);
  const local =
    settings.endpoint === undefined
      ? {}
      : {
          endpoint: settings.endpoint,
          region: settings.region ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        };
  const client = new DynamoDBClient({
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...local,
    maxAttempts,
    requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: true },
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
