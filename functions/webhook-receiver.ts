import { loadLambdaConfig } from '#lib/config/config.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { SqsPrivacyQueue } from '#lib/privacy/sqs-privacy-queue.js';
import { createSqsClient } from '#lib/runtime/sqs-client.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { ErasureStore } from '#lib/store/erasure-store.js';
import { telemetryMiddlewares } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';
import { SqsRefreshQueue } from '#lib/webhooks/sqs-refresh-queue.js';
import { SecretsManagerWebhookSecrets } from '#lib/webhooks/webhook-secrets.js';

// Built once per container. This function reads the webhook secret and enqueues, and for Meta's
// data-deletion callback records a request's status (its own items only: `DELETION#`); nothing else,
// so its role can do nothing else and its bundle holds no Graph client.
const config = loadLambdaConfig('webhook-receiver');
const secrets = new SecretsManagerWebhookSecrets({ secretId: config.webhookSecretId });
// Prefetched at cold start, so that the first delivery does not wait for Secrets Manager.
secrets.get().catch(() => undefined);
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const sqs = createSqsClient();
const now = () => new Date();

export const handler = createWebhookHandler(
  {
    secrets,
    queue: new SqsRefreshQueue(sqs, config.webhookQueueUrl),
    ...telemetry,
    now,
    dataDeletion: {
      secrets,
      requests: new ErasureStore(createDynamoClient({ endpoint: config.dynamodbEndpoint }), config.tableName),
      jobs: new SqsPrivacyQueue(sqs, config.privacyQueueUrl),
      ...telemetry,
      now,
    },
    publicBaseUrl: config.publicBaseUrl,
  },
  telemetryMiddlewares(telemetry),
);
