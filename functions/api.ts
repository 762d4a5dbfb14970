import { loadLambdaConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { createQueueSyncStarter } from '#lib/sync/sync-queue.js';
import { telemetryMiddlewares } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';

// Built once per container, at cold start: clients, pools, configuration and telemetry outlive requests.
const config = loadLambdaConfig('api');
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const services = createAwsServices(config, {
  starter: createQueueSyncStarter(config.syncQueueUrl),
  ...telemetry,
});

export const handler = createApiHandler(services.api, telemetryMiddlewares(telemetry));
