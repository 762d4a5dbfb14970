import { SQSClient } from '@aws-sdk/client-sqs';
import { type CallTimeouts, sdkCallLimits } from '../config/call-timeouts.js';

/**
 * How long an SQS call may take. SQS answers in tens of milliseconds; a call not connected within 1 s
 * or answered within 2 s will not be. Two attempts, and the SDK's pause before the second (at most
 * 100 ms), end a call within about 4.1 s: the webhook receiver then answers 5xx inside its 10 s timeout
 * (Meta delivers again) instead of hanging until Lambda kills it.
 */
export const SQS_TIMEOUTS: CallTimeouts = Object.freeze({
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  maxAttempts: 2,
});

/**
 * The container's SQS client, with timeouts: the webhook receiver's, the refresh worker's, the API's and the
 * schedule's. In its own module, apart from `aws-services.ts`, so that the receiver's bundle stays free
 * of the DynamoDB, Secrets Manager and Graph clients that module brings.
 */
export function createSqsClient(): SQSClient {
  return new SQSClient(sdkCallLimits(SQS_TIMEOUTS));
}
