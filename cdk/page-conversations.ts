import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ProductAlarms } from './alarms.js';
import { ConversationsApi } from './conversations-api.js';
import { ConversationsTable } from './conversations-table.js';
import {
  type PageConversationsProps,
  PageConversationsPropsError,
  resolveProps,
} from './page-conversations-props.js';
import type { ProductFunction } from './product-function.js';
import { MAX_RECEIVE_COUNT, SyncFanOut } from './sync-fan-out.js';

export { API_ROUTES } from './conversations-api.js';
export * from './page-conversations-props.js';

/**
 * Messenger and Instagram conversations of Facebook Pages, served from the customer's own account:
 * the table (`ConversationsTable`), the HTTP API of the contract with its function
 * (`ConversationsApi`), the scheduled sync that fans out one SQS message per Page to a worker
 * (`SyncFanOut`), and the alarms (`ProductAlarms`). Each part grants its own functions what they use.
 *
 * Secrets encrypted with a customer-managed KMS key also need `kms:Decrypt` for `apiFunction.role`
 * and `syncWorkerFunction.role` on that key: grant it where the key is managed.
 */
export class PageConversations extends Construct {
  readonly api: ConversationsApi;
  /** The API's base URL, ending in `/`. */
  readonly apiUrl: string;
  readonly table: ConversationsTable;
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;
  /** Scheduled invocations of the schedule function that failed after Lambda's retries. */
  readonly scheduleDeadLetterQueue: Queue;
  readonly apiFunction: ProductFunction;
  readonly syncScheduleFunction: ProductFunction;
  readonly syncWorkerFunction: ProductFunction;
  readonly syncRule: Rule;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: PageConversationsProps) {
    super(scope, id);
    const config = resolveProps(props);

    // The table and the API keep the ids they had before the construct was split ('Table', 'Api'):
    // a new logical id would replace the table (an empty one) and the API (a new URL).
    if (config.encryptionKey !== undefined) {
      if (Token.isUnresolved(Stack.of(this).region)) {
        throw new PageConversationsPropsError(
          'PageConversations: encryptionKey needs a stack with a concrete region (env: { account, region }): ' +
            "a DynamoDB table's customer-managed key is set per region.",
        );
      }
      this.allowLogsToUse(config.encryptionKey);
    }
    this.table = new ConversationsTable(this, 'Table', {
      removalPolicy: config.removalPolicy,
      deletionProtection: config.deletionProtection,
      encryptionKey: config.encryptionKey,
    });
    const sync = new SyncFanOut(this, 'SyncFanOut', { config, table: this.table });
    const api = new ConversationsApi(this, 'Api', { config, table: this.table, sync });

    this.api = api;
    this.apiUrl = api.stage.url;
    this.apiFunction = api.function;
    this.syncQueue = sync.queue;
    this.syncDeadLetterQueue = sync.deadLetterQueue;
    this.scheduleDeadLetterQueue = sync.scheduleDeadLetterQueue;
    this.syncScheduleFunction = sync.scheduleFunction;
    this.syncWorkerFunction = sync.workerFunction;
    this.syncRule = sync.rule;
    this.alarms = new ProductAlarms(this, 'Alarms', {
      functions: { Api: api.function, SyncSchedule: sync.scheduleFunction, SyncWorker: sync.workerFunction },
      api,
      syncDeadLetterQueue: sync.deadLetterQueue,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      scheduleDeadLetterQueue: sync.scheduleDeadLetterQueue,
      workerLogGroup: sync.workerFunction.logGroup,
      topic: props.alarmTopic,
    }).alarms;
  }

  /**
   * CloudWatch Logs encrypts a log group with a customer key only if the key policy lets the regional
   * service use it, for this account's log groups. A key of this stack gets that statement here; for
   * an imported key the call changes nothing, and the statement belongs in its own key policy.
   */
  private allowLogsToUse(key: IKey): void {
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}
