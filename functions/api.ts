import { loadConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';
import { createQueueSyncStarter } from '#lib/sync/sync-queue.js';

// Built once per container, at cold start: clients, pools and configuration outlive requests.
const config = loadConfig();
const services = createAwsServices(config, { starter: createQueueSyncStarter(config.sync.queueUrl) });

export const handler = createApiHandler(services.api);
