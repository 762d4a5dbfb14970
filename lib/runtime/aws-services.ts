import { type Config, requireLambdaSettings } from '../config/config.js';
import type { ChangeEventSink } from '../domain/change-event.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import type { SyncStarter } from '../sync/sync-control.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { createSecretsTokenSource } from '../tokens/secrets-manager-token-source.js';
import { createServices, type Services } from './services.js';

/**
 * The services as Lambda runs them: DynamoDB and Secrets Manager of the function's own account. Each
 * entry point passes only what it uses, so that no bundle carries a client it never calls: the API
 * passes the queue's starter for `POST /sync`; the workers, which write the index, the EventBridge sink.
 * Each also passes its one logger and its metrics, which it publishes once per invocation.
 */
export function createAwsServices(
  config: Config,
  options: {
    starter?: SyncStarter;
    events?: ChangeEventSink;
    logger?: Logger;
    metrics?: ProductMetrics;
  } = {},
): Services {
  const { tableName, tokenSecretPrefix } = requireLambdaSettings(config);
  const dynamo = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const registry = new PageRegistry({ client: dynamo, tableName });
  return createServices({
    config,
    dynamo,
    tableName,
    registry,
    tokens: createSecretsTokenSource(tokenSecretPrefix, registry),
    ...(options.starter === undefined ? {} : { starter: options.starter }),
    ...(options.events === undefined ? {} : { events: options.events }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
}
