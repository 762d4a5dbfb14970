import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { type CallTimeouts, sdkCallLimits } from '../config/call-timeouts.js';

/**
 * How long a PutEvents call may take. EventBridge answers in tens of milliseconds; a call not connected
 * within 1 s or answered within 2 s will not be. One attempt per call: `EventBridgeSink` sends again only
 * the entries that failed, so SDK retries on top would multiply the wait of a run or refresh that the
 * outbox already makes safe to cut short (the next run publishes what is left).
 */
export const EVENTBRIDGE_TIMEOUTS: CallTimeouts = Object.freeze({
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  maxAttempts: 1,
});

/** The container's EventBridge client, with timeouts; `overrides` for tests (an endpoint, credentials). */
export function createEventBridgeClient(overrides: EventBridgeClientConfig = {}): EventBridgeClient {
  return new EventBridgeClient({ ...sdkCallLimits(EVENTBRIDGE_TIMEOUTS), ...overrides });
}
