import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadLambdaConfig } from '#lib/config/config.js';
import { createChangeEventSink } from '#lib/events/change-event-sink.js';
import { createErasureHandler } from '#lib/http/erasure-handler.js';
import type { HttpResponse } from '#lib/http/responses.js';
import { createPrivacyJobHandler } from '#lib/privacy/privacy-worker.js';
import { createAwsErasureServices } from '#lib/runtime/aws-erasure-services.js';
import { telemetryMiddlewares, withTelemetry } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';

// Built once per container. This function serves `POST /pages/{pageId}/erasures` and works its own
// queue (Meta's data-deletion requests, folders a read found expired conversations in): the one role
// that removes a person's data from the index on request.
const config = loadLambdaConfig('erasure');
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const privacy = createAwsErasureServices(config, {
  events: createChangeEventSink(config, telemetry.logger),
  ...telemetry,
});
const http = createErasureHandler(
  {
    erasure: privacy.erasure,
    logger: telemetry.logger,
    now: () => new Date(),
    metrics: telemetry.metrics,
    pageIdsClaim: config.jwtPageIdsClaim,
  },
  telemetryMiddlewares(telemetry),
);
const processor = new BatchProcessor(EventType.SQS);
const jobRecord = createPrivacyJobHandler(privacy.work, telemetry.logger);
const jobs = withTelemetry(
  telemetry,
  (event: SQSEvent, context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, jobRecord, processor, { context, throwOnFullBatchFailure: false }),
);

const isQueueEvent = (event: unknown): event is SQSEvent =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/** An HTTP request from API Gateway, or a batch of the erasure queue. */
export const handler = (
  event: APIGatewayProxyEventV2 | SQSEvent,
  context: Context,
): Promise<HttpResponse | SQSBatchResponse> =>
  isQueueEvent(event) ? jobs(event, context) : http(event, context);
