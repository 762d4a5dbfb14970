import { unusableAppSecret } from '../config/settings-webhooks.js';
import {
  ForbiddenError,
  InvalidRequestError,
  InvalidSignatureError,
  PayloadTooLargeError,
} from '../domain/errors.js';
import type { Logger } from '../telemetry/logger.js';
import { METRIC_NAMES, type WebhookRefusalReason } from '../telemetry/metric-names.js';
import { NO_METRICS, type ProductMetrics } from '../telemetry/product-metrics.js';
import { MAX_DELIVERY_BYTES, MAX_TARGETS_PER_DELIVERY } from './delivery-limits.js';
import { newRefreshRequest, type RefreshQueue } from './refresh-request.js';
import { answerVerification, verifySignature } from './signature.js';
import { readWebhookTargets } from './webhook-payload.js';
import type { WebhookSecretSource, WebhookSecrets } from './webhook-secrets.js';

export interface ReceiverDependencies {
  secrets: WebhookSecretSource;
  queue: RefreshQueue;
  logger: Logger;
  now: () => Date;
  /** Counts deliveries by outcome and refusals by reason; nothing unless given. */
  metrics?: ProductMetrics;
}

/** One POST as it arrived: the body's bytes (decoded from base64 if API Gateway encoded them). */
export interface WebhookDelivery {
  body: Buffer;
  /** `X-Hub-Signature-256`. */
  signature: string | undefined;
  /** `Content-Encoding`: Meta sends none, and the signature is over the bytes as sent. */
  contentEncoding?: string | undefined;
}

/** Counts a refused request by why, for the refused-requests alarm. */
function refuse(deps: ReceiverDependencies, reason: WebhookRefusalReason): void {
  (deps.metrics ?? NO_METRICS).count(METRIC_NAMES.webhookRefused, 1, { Reason: reason });
}

/**
 * The secrets, when the app secret may be trusted. While it is empty or still the stack's
 * placeholder (which anyone can read in this repository, and sign with), every request is refused:
 * a warning that says why (never the value), `WebhookRefused` with `secret_not_set`, and the
 * `refusal` the caller would get for a wrong secret, so that an anonymous caller learns nothing
 * about this deployment's set-up that a wrong signature would not tell.
 */
async function usableSecrets(deps: ReceiverDependencies, refusal: () => Error): Promise<WebhookSecrets> {
  const secrets = await deps.secrets.get();
  const problem = unusableAppSecret(secrets.appSecret);
  if (problem === undefined) return secrets;
  refuse(deps, 'secret_not_set');
  deps.logger.warn(
    'webhook request refused: the app secret is not set; set app_secret in the webhook secret (META_APP_SECRET locally)',
    { reason: 'secret_not_set', app_secret: problem },
  );
  throw refusal();
}

/** The subscription handshake: the challenge to echo, or `ForbiddenError`. */
export async function verifySubscription(
  deps: ReceiverDependencies,
  query: URLSearchParams,
): Promise<string> {
  const { verifyToken } = await usableSecrets(deps, () => new ForbiddenError());
  try {
    return answerVerification(query, verifyToken);
  } catch (error: unknown) {
    refuse(deps, 'invalid_verify_token');
    throw error;
  }
}

/**
 * Accepts one delivery: checks its size, verifies its signature over the exact bytes, reads it, and
 * enqueues one refresh request per person named (at most `MAX_TARGETS_PER_DELIVERY`), all stamped
 * with the time of receipt. Calls no Graph and reads no table, so Meta gets its answer in
 * milliseconds. Returns how many requests were enqueued.
 * A body over `MAX_DELIVERY_BYTES` is `PayloadTooLargeError`; an app secret not set, or a bad
 * signature, is `InvalidSignatureError`, before anything is read or recorded; a signed body that is
 * compressed or not JSON is `InvalidRequestError`.
 */
export async function receiveDelivery(
  deps: ReceiverDependencies,
  delivery: WebhookDelivery,
): Promise<number> {
  const metrics = deps.metrics ?? NO_METRICS;
  if (delivery.body.length > MAX_DELIVERY_BYTES) {
    refuse(deps, 'payload_too_large');
    throw new PayloadTooLargeError(`A webhook body may be at most ${MAX_DELIVERY_BYTES} bytes.`);
  }
  const { appSecret } = await usableSecrets(deps, () => new InvalidSignatureError());
  try {
    verifySignature(delivery.body, delivery.signature, appSecret);
  } catch (error: unknown) {
    metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'invalid_signature' });
    refuse(deps, 'invalid_signature');
    throw error;
  }
  const encoding = delivery.contentEncoding?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'invalid_body' });
    throw new InvalidRequestError('Content-Encoding', 'A webhook body is taken as sent: not compressed.');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(delivery.body.toString('utf8'));
  } catch {
    metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'invalid_body' });
    throw new InvalidRequestError(undefined, 'The webhook body is not JSON.');
  }
  const receivedAt = deps.now().getTime();
  const { targets, dropped } = readWebhookTargets(payload, MAX_TARGETS_PER_DELIVERY);
  const requests = targets.map((target) => newRefreshRequest(target, receivedAt));
  if (requests.length > 0) await deps.queue.send(requests);
  metrics.count(METRIC_NAMES.webhookDeliveries, 1, { Outcome: 'accepted' });
  if (dropped > 0) {
    metrics.count(METRIC_NAMES.webhookTargetsDropped, dropped);
    deps.logger.warn(
      'webhook delivery names more people than one delivery may refresh; the rest is left to the scheduled sync',
      {
        refresh_requests: requests.length,
        dropped_people: dropped,
      },
    );
  }
  deps.logger.info('webhook received', { refresh_requests: requests.length });
  return requests.length;
}
