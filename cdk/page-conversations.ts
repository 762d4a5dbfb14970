import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ProductAlarms } from './alarms.js';
import { ConversationsApi } from './conversations-api.js';
import { ConversationsTable } from './conversations-table.js';
import { type PageConversationsProps, resolveProps } from './page-conversations-props.js';
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
    this.table = new ConversationsTable(this, 'Table', { removalPolicy: config.removalPolicy });
    const sync = new SyncFanOut(this, 'SyncFanOut', { config, table: this.table });
    const api = new ConversationsApi(this, 'Api', { config, table: this.table, syncQueue: sync.queue });

    this.api = api;
    this.apiUrl = api.stage.url;
    this.apiFunction = api.function;
    this.syncQueue = sync.queue;
    this.syncDeadLetterQueue = sync.deadLetterQueue;
    this.syncScheduleFunction = sync.scheduleFunction;
    this.syncWorkerFunction = sync.workerFunction;
    this.syncRule = sync.rule;
    this.alarms = new ProductAlarms(this, 'Alarms', {
      functions: { Api: api.function, SyncSchedule: sync.scheduleFunction, SyncWorker: sync.workerFunction },
      api,
      syncDeadLetterQueue: sync.deadLetterQueue,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      workerLogGroup: sync.workerFunction.logGroup,
      topic: props.alarmTopic,
    }).alarms;
  }
}
