import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '#lib/config/config.js';
import { createChangeEventSink } from '#lib/events/change-event-sink.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { handleSyncMessages } from '#lib/sync/worker.js';
import { withTelemetry } from '#lib/telemetry/lambda-telemetry.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createMetrics } from '#lib/telemetry/metrics.js';
import { loadWebhookSettings } from '#lib/webhooks/webhook-settings.js';

const { eventBusName, eventsFile } = loadWebhookSettings();
const telemetry = { logger: createLogger(), metrics: createMetrics() };
const services = createAwsServices(loadConfig(), {
  events: createChangeEventSink({ eventBusName, eventsFile }, telemetry.logger),
  ...telemetry,
});

/** The fan-out queue's worker: one page per message, partial batch failures for what must come back. */
export const handler = withTelemetry(
  telemetry,
  async (event: SQSEvent, context): Promise<SQSBatchResponse> => {
    const { failedMessageIds } = await handleSyncMessages(
      services.sync,
      event.Records,
      () => context.getRemainingTimeInMillis(),
      services.logger,
    );
    return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  },
);
