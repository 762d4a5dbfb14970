import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '#lib/config/config.js';
import { createChangeEventSink } from '#lib/events/change-event-sink.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { handleSyncMessages } from '#lib/sync/worker.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { loadWebhookSettings } from '#lib/webhooks/webhook-settings.js';

const { eventBusName, eventsFile } = loadWebhookSettings();
const services = createAwsServices(loadConfig(), {
  events: createChangeEventSink({ eventBusName, eventsFile }, createLogger()),
});

/** The fan-out queue's worker: one page per message, partial batch failures for what must come back. */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { failedMessageIds } = await handleSyncMessages(
    services.sync,
    event.Records,
    () => context.getRemainingTimeInMillis(),
    services.logger,
  );
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
};
