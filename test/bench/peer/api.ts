/**
 * The peer's Lambda entry point: `functions/api.ts` with Graph reached through
 * facebook-nodejs-business-sdk. The bench bundles it exactly as CDK bundles the real one.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadLambdaConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { QueueSyncStarter } from '#lib/sync/sync-queue.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { createPeerApiDependencies } from './peer-services.js';

const config = loadLambdaConfig('api');
const { tableName, tokenSecretPrefix } = config;
const queueUrl = config.syncQueueUrl;

export const handler = createApiHandler(
  createPeerApiDependencies({
    config,
    dynamo: createDynamoClient({ endpoint: config.dynamodbEndpoint }),
    tableName,
    tokens: new SecretsManagerTokenSource({
      client: new SecretsManagerClient({}),
      prefix: tokenSecretPrefix,
    }),
    starter: new QueueSyncStarter(new SQSClient({}), queueUrl),
  }),
);
