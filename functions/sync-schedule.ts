import type { ScheduledEvent } from 'aws-lambda';
import { loadLambdaConfig } from '#lib/config/config.js';
import { createSqsClient } from '#lib/runtime/sqs-client.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { scheduleRound } from '#lib/sync/schedule-round.js';
import { enqueuePages } from '#lib/sync/sync-queue.js';
import { withTelemetry } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';

const config = loadLambdaConfig('sync-schedule');
const queueUrl = config.syncQueueUrl;
// Which Pages exist is read from the registry, never by listing secrets: this role reads only the table.
const registry = new PageRegistry({
  client: createDynamoClient({ endpoint: config.dynamodbEndpoint }),
  tableName: config.tableName,
});
const sqs = createSqsClient();
const telemetry = { logger: createLogger(), metrics: createMetrics() };

/**
 * EventBridge's schedule: one work item per registered page; the workers do the rest. The round also
 * reports the Pages not subscribed to webhooks (`PagesNotSubscribed`), from the same registry walk. A Page whose
 * token Graph rejected is enqueued too: its worker refuses it without a Graph call (its registry item
 * and secret version say so) until the secret changes, which only the worker can see.
 */
export const handler = withTelemetry(
  telemetry,
  async (_event: ScheduledEvent): Promise<{ pages: number }> => {
    const { pages, notSubscribed } = await scheduleRound({
      registry,
      // Spread over the interval (SQS delays at most 15 min): the workers start evenly, not all at :00.
      enqueue: (pageIds) => enqueuePages(sqs, queueUrl, pageIds, { spreadSeconds: config.syncSpreadSeconds }),
      metrics: telemetry.metrics,
    });
    telemetry.logger.info('sync scheduled', { pages, pages_not_subscribed: notSubscribed });
    return { pages };
  },
);
