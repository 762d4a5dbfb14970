import { InvalidRequestError } from '../domain/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import { newRefreshRequest, type RefreshQueue } from './refresh-request.js';
import { answerVerification, verifySignature } from './signature.js';
import { readWebhookTargets } from './webhook-payload.js';
import type { WebhookSecretSource } from './webhook-secrets.js';

export interface ReceiverDependencies {
  secrets: WebhookSecretSource;
  queue: RefreshQueue;
  logger: Logger;
  now: () => Date;
  /** Counts deliveries by outcome; nothing unless given. */
  metrics?: ProductMetrics;
}

/** One POST as it arrived: the body's bytes (decoded from base64 if API Gateway encoded them). */
export interface WebhookDelivery {
  body: Buffer;
  /** `X-Hub-Signature-256`. */
  signature: string | undefined;
}

/** The subscription handshake: the challenge to echo, or `ForbiddenError`. */
export async function verifySubscription(
  deps: ReceiverDependencies,
  query: URLSearchParams,
): Promise<string> {
  return answerVerification(query, (await deps.secrets.get()).verifyToken);
}

/**
 * Accepts one delivery: verifies its signature over the exact bytes, reads it, and enqueues one
 * refresh request per person named, all stamped with the time of receipt. Calls no Graph and reads no
 * table, so Meta gets its answer in milliseconds. Returns how many requests were enqueued.
 * A bad signature is `InvalidSignatureError` before anything is read or recorded; a signed body that
 * is not JSON is `InvalidRequestError`.
 */
export async function receiveDelivery(
  deps: ReceiverDependencies,
  delivery: WebhookDelivery,
): Promise<number> {
  const metrics = deps.metrics ?? NO_METRICS;
  const { appSecret } = await deps.secrets.get();
  try {
    verifySignature(delivery.body, delivery.signature, appSecret);
  } catch (error: unknown) {
    metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'invalid_signature' });
    throw error;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'invalid_body' });
    throw new InvalidRequestError(undefined, 'The webhook body is not JSON.');
  }
  const receivedAt = deps.now().getTime();
  const requests = readWebhookTargets(payload).map((target) => newRefreshRequest(target, receivedAt));
  if (requests.length > 0) await deps.queue.send(requests);
  metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'accepted' });
  deps.logger.info('webhook received', { refresh_requests: requests.length });
  return requests.length;
}
