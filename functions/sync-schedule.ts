import { SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { loadConfig } from '#lib/config/config.js';
import { ConfigurationError } from '#lib/domain/errors.js';
import { enqueuePages } from '#lib/sync/sync-queue.js';
import { createLogger } from '#lib/telemetry/logger.js';
import { createSecretsTokenSource } from '#lib/tokens/secrets-manager-token-source.js';

const config = loadConfig();
if (config.tokenSecretPrefix === undefined || config.sync.queueUrl === undefined) {
  throw new ConfigurationError('TOKEN_SECRET_PREFIX and SYNC_QUEUE_URL must be set for the sync schedule.');
}
const queueUrl = config.sync.queueUrl;
const tokens = createSecretsTokenSource(config.tokenSecretPrefix);
const sqs = new SQSClient({});
const logger = createLogger();

/** EventBridge's schedule: one work item per page that has a token; the workers do the rest. */
export const handler = async (_event: ScheduledEvent): Promise<{ pages: number }> => {
  const pages = await enqueuePages(sqs, queueUrl, await tokens.listPageIds());
  logger.info('sync scheduled', { pages });
  return { pages };
};
