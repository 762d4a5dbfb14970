import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type Config, requireLambdaSettings } from '../config.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { QueueSyncStarter } from '../sync/sync-queue.js';
import { SecretsManagerTokenSource } from '../tokens/secrets-manager-token-source.js';
import { createServices, type Services } from './services.js';

/** Page tokens from the secrets under `TOKEN_SECRET_PREFIX`. */
export function createSecretsTokenSource(tokenSecretPrefix: string): SecretsManagerTokenSource {
  return new SecretsManagerTokenSource({ client: new SecretsManagerClient({}), prefix: tokenSecretPrefix });
}

/** The services as Lambda runs them: DynamoDB, Secrets Manager and SQS of the function's own account. */
export function createAwsServices(config: Config): Services {
  const { tableName, tokenSecretPrefix } = requireLambdaSettings(config);
  const { queueUrl } = config.sync;
  return createServices({
    config,
    dynamo: createDynamoClient({ endpoint: config.dynamodbEndpoint }),
    tableName,
    tokens: createSecretsTokenSource(tokenSecretPrefix),
    ...(queueUrl === undefined ? {} : { starter: new QueueSyncStarter(new SQSClient({}), queueUrl) }),
  });
}
