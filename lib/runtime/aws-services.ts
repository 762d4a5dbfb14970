import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Config, requireLambdaSettings } from '../config.js';
import { createDynamoClient } from '../store/dynamo-client.js';
import { SecretsManagerTokenSource } from '../tokens/secrets-manager-token-source.js';
import { createServices, type Services } from './services.js';

/** The services as Lambda runs them: DynamoDB and Secrets Manager of the function's own account. */
export function createAwsServices(config: Config): Services {
  const { tableName, tokenSecretPrefix } = requireLambdaSettings(config);
  return createServices({
    config,
    dynamo: createDynamoClient({ endpoint: config.dynamodbEndpoint }),
    tableName,
    tokens: new SecretsManagerTokenSource({
      client: new SecretsManagerClient({}),
      prefix: tokenSecretPrefix,
    }),
  });
}
