/** How long one call to an AWS service may take, and how many attempts it gets. */
export interface CallTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly maxAttempts: number;
}

/**
 * An AWS SDK client's configuration for `timeouts`: its attempts and its request handler's limits.
 * `throwOnRequestTimeout` is what makes the request timeout end the call: without it the SDK only logs a
 * warning and keeps waiting.
 */
export function sdkCallLimits(timeouts: CallTimeouts) {
  const { connectionTimeout, requestTimeout, maxAttempts } = timeouts;
  return {
    maxAttempts,
    requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: true },
  };
}
