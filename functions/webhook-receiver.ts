import { loadLambdaConfig } from '#lib/config/config.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { createSqsClient } from '#lib/runtime/sqs-client.js';
import { telemetryMiddlewares } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';
import { SqsRefreshQueue } from '#lib/webhooks/sqs-refresh-queue.js';
import { SecretsManagerWebhookSecrets } from '#lib/webhooks/webhook-secrets.js';

// Built once per container. This function reads the webhook secret and enqueues; nothing else, so its
// role can do nothing else and its bundle holds no Graph client and no DynamoDB client.
const config = loadLambdaConfig('webhook-receiver');
const secrets = new SecretsManagerWebhookSecrets({ secretId: config.webhookSecretId });
// Prefetched at cold start, so that the first delivery does not wait for Secrets Manager.
secrets.get().catch(() => undefined);
const telemetry = { logger: createLogger(), metrics: createMetrics() };

export const handler = createWebhookHandler(
  {
    secrets,
    queue: new SqsRefreshQueue(createSqsClient(), config.webhookQueueUrl),
    ...telemetry,
    now: () => new Date(),
  },
  telemetryMiddlewares(telemetry),
);
