import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { type CallTimeouts, sdkCallLimits } from '../config/call-timeouts.js';
import { UnavailableError } from '../domain/errors.js';

/**
 * Secrets Manager answers in milliseconds or not at all: a connection that hangs must become a 503
 * within the contract's 3 seconds, not hold a request until Lambda's timeout. Each attempt ends
 * `requestTimeout` after it starts, connecting included (a connection not made within
 * `connectionTimeout` ends sooner); two attempts and the SDK's pause before the second (at most 200 ms
 * for a timeout) end a call within about 2.2 s.
 */
export const SECRETS_TIMEOUTS: CallTimeouts = Object.freeze({
  connectionTimeout: 800,
  requestTimeout: 1_000,
  maxAttempts: 2,
});

/**
 * The one Secrets Manager client configuration of the product, for Page tokens and the webhook secret
 * alike: short timeouts, one retry. `config` adds to it (an endpoint, a region in tests and `npm run
 * pages`); it cannot loosen the timeouts.
 */
export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...config, ...sdkCallLimits(SECRETS_TIMEOUTS) });
}

/** Errors that are answers about the secret, not a failure to reach Secrets Manager. */
const ANSWERS = new Set([
  'ResourceNotFoundException',
  'InvalidRequestException',
  'InvalidParameterException',
  'ResourceExistsException',
  'AccessDeniedException',
  'DecryptionFailure',
]);

/** Whether Secrets Manager answered that the secret does not exist. */
export function isSecretMissing(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

/**
 * Turns a failure to reach Secrets Manager (timeout, connection, throttling, 5xx) into `UnavailableError`
 * (503); an answer about the secret itself is passed on for the caller to judge.
 */
export function secretsFailure(error: unknown): unknown {
  if (error instanceof Error && ANSWERS.has(error.name)) return error;
  return new UnavailableError(undefined, { cause: error });
}
