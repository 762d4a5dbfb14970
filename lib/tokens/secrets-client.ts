import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { UnavailableError } from '../domain/errors.js';

/**
 * Secrets Manager answers in milliseconds or not at all: a connection that hangs must become a 503
 * within the contract's 3 seconds, not hold a request until Lambda's timeout. `throwOnRequestTimeout`
 * is what makes the request timeout end the request (without it the SDK only logs a warning).
 */
export const SECRETS_TIMEOUTS = Object.freeze({ connectionTimeout: 1_000, requestTimeout: 2_000 });

/** The container's Secrets Manager client: short timeouts, one retry. */
export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: 2,
    requestHandler: { ...SECRETS_TIMEOUTS, throwOnRequestTimeout: true },
    ...config,
  });
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
