import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, type IEventBus, type Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SETTINGS } from '#lib/config/settings.js';
import { ProductAlarms } from './alarms.js';
import { ConversationsApi } from './conversations-api.js';
import { ConversationsTable } from './conversations-table.js';
import { ProductDashboard } from './dashboard.js';
import { changeEventBus } from './event-bus-access.js';
import { MetaWebhooks } from './meta-webhooks.js';
import type { PageConversationsProps } from './page-conversations-props.js';
import { PersonData } from './person-data.js';
import type { ProductFunction } from './product-function.js';
import { addProductOutputs, type ProductOutputs } from './product-outputs.js';
import { PageConversationsPropsError, resolveProps } from './resolve-props.js';
import { SyncFanOut } from './sync-fan-out.js';

export { WEBHOOK_PATH } from '#lib/domain/routes.js';
export { API_ROUTES } from './conversations-api.js';
export * from './page-conversations-props.js';
export type { ProductOutputName, ProductOutputs } from './product-outputs.js';
export * from './resolve-props.js';

/**
 * Messenger and Instagram conversations of Facebook Pages, served from the customer's own account:
 * the table (`ConversationsTable`), the HTTP API of the contract with its function
 * (`ConversationsApi`), the scheduled sync that fans out one SQS message per Page to a worker
 * (`SyncFanOut`), Meta Webhooks with their targeted refresh (`MetaWebhooks`, unless `webhooks: false`),
 * the bus of change events, the alarms (`ProductAlarms`) and the dashboard (`ProductDashboard`, unless
 * `dashboard: false`). Each part grants its own functions what they use.
 *
 * With `encryptionKey`, the functions that read Page tokens may decrypt with that key (the key
 * `npm run pages` encrypts them with). Page token secrets encrypted with another customer-managed key
 * need `kms:Decrypt` on it for `apiFunction.role`, `syncWorkerFunction.role` and
 * `webhookRefreshFunction.role` (and a given `webhookSecret`'s key for `webhookReceiverFunction.role`):
 * grant it where that key is managed.
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
  /** Where `Conversation Changed` events go: the bus given as `eventBus`, or the construct's own. */
  readonly changeEventBus: IEventBus;
  /** The customer-managed key of the data, when one was given. */
  readonly encryptionKey: IKey | undefined;
  /** Meta Webhooks, undefined with `webhooks: false` (as are the `webhook...` members below). */
  readonly webhooks: MetaWebhooks | undefined;
  /** The Meta Webhooks secret (`app_secret`, `verify_token`): the one given, or the construct's own. */
  readonly webhookSecret: ISecret | undefined;
  /** The callback URL to enter in Meta's app dashboard. */
  readonly webhookCallbackUrl: string | undefined;
  readonly webhookReceiverFunction: ProductFunction | undefined;
  readonly webhookRefreshFunction: ProductFunction | undefined;
  readonly webhookRefreshQueue: Queue | undefined;
  readonly webhookRefreshDeadLetterQueue: Queue | undefined;
  /** A person's data: the person-hash key, the erasure function and its queue. */
  readonly personData: PersonData;
  readonly erasureFunction: ProductFunction;
  readonly alarms: readonly Alarm[];
  /** The CloudWatch dashboard; undefined with `dashboard: false`. */
  readonly dashboard: Dashboard | undefined;
  /**
   * The stack outputs an operator needs (`ApiUrl`, `TableName`, `SyncQueueUrl`, `WebhookSecretArn`, ...),
   * named `<construct path><name>` in the template, e.g. `ConversationsApiUrl` for
   * `new PageConversations(stack, 'Conversations')`; rename one with `outputs.ApiUrl?.overrideLogicalId()`.
   */
  readonly outputs: ProductOutputs;

  constructor(scope: Construct, id: string, props: PageConversationsProps) {
    super(scope, id);
    const config = resolveProps(props);
    if (!config.webhooks && props.webhookSecret !== undefined) {
      throw new PageConversationsPropsError(
        'PageConversations: webhookSecret is the secret of Meta Webhooks; with webhooks: false, leave it out.',
      );
    }
    this.encryptionKey = config.encryptionKey;

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
    this.changeEventBus =
      props.eventBus ??
      new EventBus(this, 'ChangeEvents', {
        description: 'Page conversations: Conversation Changed events',
        // The events carry conversations (names, snippets); CDK lets EventBridge use a key of this stack.
        kmsKey: config.encryptionKey,
      });
    const eventBus = changeEventBus(this.changeEventBus, props.eventBus === undefined);
    const sync = new SyncFanOut(this, 'SyncFanOut', { config, table: this.table, eventBus });
    const api = new ConversationsApi(this, 'Api', { config, table: this.table, sync });
    const webhooks = config.webhooks
      ? new MetaWebhooks(this, 'Webhooks', {
          config,
          table: this.table,
          api,
          eventBus,
          secret: props.webhookSecret,
        })
      : undefined;

    // The sync worker's daily webhook subscription check (lib/sync/page-record.ts): only with webhooks.
    sync.workerFunction.addEnvironment(SETTINGS.webhookSubscriptionCheck.env, String(webhooks !== undefined));
    if (webhooks !== undefined) {
      sync.workerFunction.addEnvironment(
        SETTINGS.webhookAutoSubscribe.env,
        String(config.webhookAutoSubscribe),
      );
    }

    const personData = new PersonData(this, 'PersonData', {
      config,
      table: this.table,
      api,
      eventBus,
      hashers: [sync.workerFunction, ...(webhooks ? [webhooks.refreshFunction] : [])],
      senders: [api.function, ...(webhooks ? [webhooks.receiverFunction] : [])],
      retentionReaders: [api.function, sync.workerFunction, ...(webhooks ? [webhooks.refreshFunction] : [])],
    });
    this.personData = personData;
    this.erasureFunction = personData.function;

    this.api = api;
    this.apiUrl = api.stage.url;
    this.apiFunction = api.function;
    this.syncQueue = sync.queue;
    this.syncDeadLetterQueue = sync.deadLetterQueue;
    this.scheduleDeadLetterQueue = sync.scheduleDeadLetterQueue;
    this.syncScheduleFunction = sync.scheduleFunction;
    this.syncWorkerFunction = sync.workerFunction;
    this.syncRule = sync.rule;
    this.webhooks = webhooks;
    this.webhookSecret = webhooks?.secret;
    this.webhookCallbackUrl = webhooks?.callbackUrl;
    this.webhookReceiverFunction = webhooks?.receiverFunction;
    this.webhookRefreshFunction = webhooks?.refreshFunction;
    this.webhookRefreshQueue = webhooks?.queue;
    this.webhookRefreshDeadLetterQueue = webhooks?.deadLetterQueue;

    // Listed in this order with webhooks, so that the dashboard's lines keep their places.
    const functions: Record<string, ProductFunction> = {
      Api: api.function,
      ...(webhooks && { WebhookReceiver: webhooks.receiverFunction }),
      SyncSchedule: sync.scheduleFunction,
      SyncWorker: sync.workerFunction,
      ...(webhooks && { WebhookRefresh: webhooks.refreshFunction }),
      Erasure: personData.function,
    };
    const deadLetterQueues: Record<string, Queue> = {
      Sync: sync.deadLetterQueue,
      Schedule: sync.scheduleDeadLetterQueue,
      ...(webhooks && { WebhookRefresh: webhooks.deadLetterQueue }),
      Erasure: personData.deadLetterQueue,
    };
    const service = (fn: ProductFunction) => fn.serviceName;
    const tokenCheckers = [
      api.function,
      sync.workerFunction,
      ...(webhooks ? [webhooks.refreshFunction] : []),
    ];
    this.alarms = new ProductAlarms(this, 'Alarms', {
      api,
      deadLetterQueues,
      syncWorkerService: service(sync.workerFunction),
      tokenCheckingServices: tokenCheckers.map(service),
      topic: props.alarmTopic,
      ...(sync.roundInterval !== undefined && {
        syncRound: { queue: sync.queue, intervalSeconds: sync.roundInterval },
      }),
      ...(webhooks && {
        webhooks: {
          refreshQueue: webhooks.queue,
          refused: webhooks.refusedRequests,
          scheduleService: service(sync.scheduleFunction),
        },
      }),
    }).alarms;
    this.dashboard = config.dashboard
      ? new ProductDashboard(this, 'Dashboard', {
          api,
          functions,
          queues: { Sync: sync.queue, ...(webhooks && { WebhookRefresh: webhooks.queue }) },
          deadLetterQueues,
          alarms: this.alarms,
          services: Object.values(functions).map(service),
          webhooks: webhooks !== undefined,
        }).dashboard
      : undefined;
    this.outputs = addProductOutputs(this, {
      apiUrl: this.apiUrl,
      apiId: api.apiId,
      tableName: this.table.tableName,
      tokenSecretPrefix: config.tokenSecretPrefix,
      syncQueue: sync.queue,
      syncDeadLetterQueue: sync.deadLetterQueue,
      changeEventBus: this.changeEventBus,
      dashboardName: this.dashboard?.dashboardName,
      webhooks,
      encryptionKey: config.encryptionKey,
    });
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
