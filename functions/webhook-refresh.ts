import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadLambdaConfig } from '#lib/config/config.js';
import { createChangeEventSink } from '#lib/events/change-event-sink.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { createSqsClient } from '#lib/runtime/sqs-client.js';
import { withTelemetry } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';
import { createRefreshRecordHandler, REFRESH_BATCH_OPTIONS } from '#lib/webhooks/refresh-worker.js';
import { SqsRefreshQueue } from '#lib/webhooks/sqs-refresh-queue.js';

// Built once per container. The refresh uses the sync's own Graph client, tokens, back-off, index and
// event sink, so it is paced, backed off and indexed exactly as the sync is.
const config = loadLambdaConfig('webhook-refresh');
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const { refresh, logger } = createAwsServices(config, {
  events: createChangeEventSink(config, telemetry.logger),
  ...telemetry,
});
const queue = new SqsRefreshQueue(createSqsClient(), config.webhookQueueUrl);
const processor = new BatchProcessor(EventType.SQS);
const refreshRecord = createRefreshRecordHandler(refresh, queue, logger);

/** The refresh queue's worker: a batch's requests at once, partial batch failures for our own faults only. */
export const handler = withTelemetry(
  telemetry,
  (event: SQSEvent, context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, refreshRecord, processor, { context, ...REFRESH_BATCH_OPTIONS }),
);
