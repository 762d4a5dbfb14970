import { type Config, requireLambdaSettings } from '../config/config.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { PageRegistry } from '../store/page-registry.js';
import type { SyncStarter } from '../sync/sync-control.js';
import { createSecretsTokenSource } from '../tokens/secrets-manager-token-source.js';
import { createServices, type Services } from './services.js';

/**
 * The services as Lambda runs them: DynamoDB and Secrets Manager of the function's own account. The
 * API passes the queue's starter for `POST /sync`; the worker needs none, and so bundles no SQS client.
 */
export function createAwsServices(config: Config, starter?: SyncStarter): Services {
  const { tableName, tokenSecretPrefix } = requireLambdaSettings(config);
  const dynamo = createDynamoClient({ endpoint: config.dynamodbEndpoint });
  const registry = new PageRegistry({ client: dynamo, tableName });
  return createServices({
    config,
    dynamo,
    tableName,
    registry,
    tokens: createSecretsTokenSource(tokenSecretPrefix, registry),
    ...(starter === undefined ? {} : { starter }),
  });
}
