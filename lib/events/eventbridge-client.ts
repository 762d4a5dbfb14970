import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';

/**
 * How long a PutEvents call may take. EventBridge answers in tens of milliseconds; a call not connected
 * within 1 s or answered within 2 s will not be. One attempt per call: `EventBridgeSink` sends again only
 * the entries that failed, so SDK retries on top would multiply the wait of a run or refresh that the
 * outbox already makes safe to cut short (the next run publishes what is left). `throwOnRequestTimeout`
 * makes the request timeout abort the call: without it the SDK only logs a warning and keeps waiting.
 */
export const EVENTBRIDGE_TIMEOUTS = Object.freeze({
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  maxAttempts: 1,
});

/** The container's EventBridge client, with timeouts; `overrides` for tests (an endpoint, credentials). */
export function createEventBridgeClient(overrides: EventBridgeClientConfig = {}): EventBridgeClient {
  const { connectionTimeout, requestTimeout, maxAttempts } = EVENTBRIDGE_TIMEOUTS;
  return new EventBridgeClient({
    maxAttempts,
    requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: true },
    ...overrides,
  });
}
