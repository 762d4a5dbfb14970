import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig, requireLambdaSettings } from '#lib/config/config.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { handleRefreshMessages } from '#lib/webhooks/refresh-worker.js';
import { SqsRefreshQueue } from '#lib/webhooks/sqs-refresh-queue.js';
import { createRefreshDependencies } from '#lib/webhooks/webhook-services.js';
import { loadWebhookSettings } from '#lib/webhooks/webhook-settings.js';

// Built once per container. The Graph client, tokens, back-off and index are the sync's own, so the
// refresh is paced, backed off and indexed exactly as the sync is.
const config = loadConfig();
const settings = loadWebhookSettings();
if (settings.queueUrl === undefined) throw new ConfigurationError('WEBHOOK_QUEUE_URL must be set in Lambda.');
const { tableName } = requireLambdaSettings(config);
const services = createAwsServices(config);
const dynamo = createDynamoClient({ endpoint: config.dynamodbEndpoint });
const { graph, tokens, backoff, index, logger, now, platforms, folders } = services.sync;
const refresh = createRefreshDependencies({
  dynamo,
  tableName,
  graph,
  tokens,
  backoff,
  index,
  logger,
  now,
  platforms,
  folders,
  pages: new PageRegistry({ client: dynamo, tableName }),
});
const queue = new SqsRefreshQueue(new SQSClient({}), settings.queueUrl);

/** The refresh queue's worker: partial batch failures for our own faults only. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { failedMessageIds } = await handleRefreshMessages(refresh, queue, event.Records, logger);
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
};
