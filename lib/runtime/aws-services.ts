import type { Config } from '../config/config.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { ConfigurationError } from '../domain/errors.js';
import { SecretsManagerPersonKey } from '../privacy/person-key.js';
import { SqsPrivacyQueue } from '../privacy/sqs-privacy-queue.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import type { SyncStarter } from '../sync/sync-control.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { createSecretsTokenSource } from '../tokens/secrets-manager-token-source.js';
import { NO_PERSON_KEY } from './privacy-services.js';
import { createServices, type Services } from './services.js';
import { createSqsClient } from './sqs-client.js';

/**
 * What a function that builds these services starts with: `loadLambdaConfig` has checked that the table
 * and the secret prefix are set (the table's `requiredBy` names these functions).
 */
type AwsConfig = Config & { readonly tableName: string; readonly tokenSecretPrefix: string };

/** The workers start no run: `POST /sync` is the API's, which passes the queue's starter. */
const NO_STARTS: SyncStarter = {
  start: async () => {
    throw new ConfigurationError('This function starts no sync: POST /sync is the API function’s.');
  },
};

/**
 * The services as Lambda runs them: DynamoDB and Secrets Manager of the function's own account, and
 * nothing of the local runtime's (`lib/local/local-services.ts` is that side). Each entry point passes
 * only what it uses, so that no bundle carries a client it never calls: the API passes the queue's
 * starter for `POST /sync`; the workers, which write the index, the EventBridge sink. Each also passes
 * its one logger and its metrics, which it publishes once per invocation.
 */
export function createAwsServices(
  config: AwsConfig,
  options: {
    starter?: SyncStarter | undefined;
    events?: ChangeEventSink;
    logger?: Logger;
    metrics?: ProductMetrics;
  } = {},
): Services {
  const { tableName, tokenSecretPrefix } = config;
  const dynamo = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const registry = new PageRegistry({ client: dynamo, tableName });
  const starter = options.starter ?? NO_STARTS;
  return createServices({
    config,
    dynamo,
    tableName,
    registry,
    tokens: createSecretsTokenSource(tokenSecretPrefix, registry),
    starter: () => starter,
    // Only the functions that hash ids are given the key's secret (`PERSON_KEY_SECRET_ID`).
    personKey:
      config.personKeySecretId === undefined
        ? NO_PERSON_KEY
        : new SecretsManagerPersonKey(config.personKeySecretId),
    ...(config.privacyQueueUrl === undefined
      ? {}
      : { privacyJobs: new SqsPrivacyQueue(createSqsClient(), config.privacyQueueUrl) }),
    ...(options.events === undefined ? {} : { events: options.events }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}
