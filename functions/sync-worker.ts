import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadLambdaConfig } from '#lib/config/config.js';
import { createChangeEventSink } from '#lib/events/change-event-sink.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { createSyncRecordHandler, SYNC_BATCH_OPTIONS } from '#lib/sync/worker.js';
import { withTelemetry } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';

const config = loadLambdaConfig('sync-worker');
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const services = createAwsServices(config, {
  events: createChangeEventSink(config, telemetry.logger),
  ...telemetry,
});
const processor = new BatchProcessor(EventType.SQS);
const syncRecord = createSyncRecordHandler(services.sync, services.logger);

/** The fan-out queue's worker: one Page per message, a batch of them at once, partial batch failures for what must come back. */
export const handler = withTelemetry(
  telemetry,
  (event: SQSEvent, context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, syncRecord, processor, { context, ...SYNC_BATCH_OPTIONS }),
);
