import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { routeOf } from '#lib/domain/routes.js';
import { REFRESH_MAX_RECEIVE_COUNT } from './meta-webhooks.js';
import { MAX_RECEIVE_COUNT } from './sync-fan-out.js';

/** One Page's path in an execute-api ARN, as a per-Page policy names it (the route table's, filled). */
const onePage = routeOf('getPage').path.replace('{pageId}', '<pageId>');

/** The names of the construct's outputs; with `webhooks: false` the four webhook ones are left out. */
export type ProductOutputName =
  | 'ApiUrl'
  | 'ApiId'
  | 'TableName'
  | 'TokenSecretPrefix'
  | 'SyncQueueUrl'
  | 'SyncDeadLetterQueueUrl'
  | 'EventBusName'
  | 'DashboardName'
  | 'WebhookCallbackUrl'
  | 'WebhookSecretArn'
  | 'RefreshQueueUrl'
  | 'RefreshDeadLetterQueueUrl'
  | 'EncryptionKeyArn';

/** The construct's `CfnOutput`s by name; absent: the part does not exist (no webhooks, no key). */
export type ProductOutputs = Readonly<Partial<Record<ProductOutputName, CfnOutput>>>;

/** What the outputs show: the parts of `PageConversations` an operator needs after a deploy. */
export interface ProductOutputValues {
  readonly apiUrl: string;
  readonly apiId: string;
  readonly tableName: string;
  readonly tokenSecretPrefix: string;
  readonly syncQueue: IQueue;
  readonly syncDeadLetterQueue: IQueue;
  readonly changeEventBus: IEventBus;
  /** Undefined with `dashboard: false`: no output. */
  readonly dashboardName: string | undefined;
  readonly webhooks:
    | {
        readonly callbackUrl: string;
        readonly secret: ISecret;
        readonly queue: IQueue;
        readonly deadLetterQueue: IQueue;
      }
    | undefined;
  readonly encryptionKey: IKey | undefined;
}

/**
 * The logical id prefix of the outputs of `scope`: its path below its stack, letters and digits only
 * (`Conversations` for `new PageConversations(stack, 'Conversations')`). An output's name then says
 * both which construct and which value (`ConversationsApiUrl`), without the hash CDK would append;
 * two constructs with the same path would clash, and CDK refuses such a template at synth.
 */
function outputPrefix(scope: Construct): string {
  const scopes = scope.node.scopes;
  return scopes
    .slice(scopes.indexOf(Stack.of(scope)) + 1)
    .map((part) => part.node.id.replace(/[^A-Za-z0-9]/g, ''))
    .join('');
}

/**
 * One `CfnOutput` per value an operator or `npm run pages` needs (the values onboarding exports:
 * `TABLE_NAME`, `TOKEN_SECRET_PREFIX`, `SYNC_QUEUE_URL`, `TOKEN_SECRET_KMS_KEY_ID`), as children of
 * `scope`, named `<prefix><name>` (see `outputPrefix`). A stack that holds nothing else may rename
 * them to the bare names (`output.overrideLogicalId(name)`), as `PageConversationsStack` does.
 */
export function addProductOutputs(scope: Construct, values: ProductOutputValues): ProductOutputs {
  const prefix = outputPrefix(scope);
  const outputs: Partial<Record<ProductOutputName, CfnOutput>> = {};
  const add = (name: ProductOutputName, value: string, description: string) => {
    const output = new CfnOutput(scope, name, { value, description });
    output.overrideLogicalId(`${prefix}${name}`);
    outputs[name] = output;
  };
  add('ApiUrl', values.apiUrl, 'Base URL of the HTTP API (the client baseUrl, npm run smoke -- --url)');
  add(
    'ApiId',
    values.apiId,
    `For execute-api:Invoke policies: arn:aws:execute-api:<region>:<account>:<ApiId>/*/GET/* (every Page), or .../*/GET${onePage} and .../*/GET${onePage}/* (one Page)`,
  );
  add('TableName', values.tableName, 'The DynamoDB table (TABLE_NAME for npm run pages)');
  add(
    'TokenSecretPrefix',
    values.tokenSecretPrefix,
    'Page token secrets are named <this><pageId> (TOKEN_SECRET_PREFIX for npm run pages)',
  );
  add(
    'SyncQueueUrl',
    values.syncQueue.queueUrl,
    'The fan-out queue of the sync, one message per Page (SYNC_QUEUE_URL for npm run pages)',
  );
  add(
    'SyncDeadLetterQueueUrl',
    values.syncDeadLetterQueue.queueUrl,
    `Sync messages that failed ${MAX_RECEIVE_COUNT} times; redrive them from the SQS console`,
  );
  add(
    'EventBusName',
    values.changeEventBus.eventBusName,
    'Where Conversation Changed events go: add your rules here',
  );
  if (values.dashboardName !== undefined)
    add('DashboardName', values.dashboardName, 'The CloudWatch dashboard of this deployment');
  if (values.webhooks !== undefined) {
    add('WebhookCallbackUrl', values.webhooks.callbackUrl, 'Meta app dashboard > Webhooks: the Callback URL');
    add(
      'WebhookSecretArn',
      values.webhooks.secret.secretArn,
      'Its verify_token is the Verify Token for Meta; set its app_secret to your Meta app secret (aws secretsmanager get-secret-value / put-secret-value --secret-id <this>)',
    );
    add(
      'RefreshQueueUrl',
      values.webhooks.queue.queueUrl,
      'The queue of webhook-driven conversation refreshes',
    );
    add(
      'RefreshDeadLetterQueueUrl',
      values.webhooks.deadLetterQueue.queueUrl,
      `Refreshes that failed ${REFRESH_MAX_RECEIVE_COUNT} times; redrive them from the SQS console`,
    );
  }
  if (values.encryptionKey !== undefined) {
    add(
      'EncryptionKeyArn',
      values.encryptionKey.keyArn,
      'The customer-managed key of the data: export TOKEN_SECRET_KMS_KEY_ID=<this> before npm run pages, so that Page token secrets are encrypted with it',
    );
  }
  return outputs;
}
