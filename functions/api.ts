import { loadConfig } from '#lib/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createAwsServices } from '#lib/runtime/aws-services.js';

// Built once per container, at cold start: clients, pools and configuration outlive requests.
const services = createAwsServices(loadConfig());

export const handler = createApiHandler(services.api);
