import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS } from '#lib/store/table-schema.js';
import { SYNC_RUN_FAILED_MESSAGE } from '#lib/telemetry/log-messages.js';
import { iam5ResourceFinding, NAG_REASONS } from './nag-suppressions.js';
import { type PageConversationsProps, type ResolvedProps, resolveProps } from './page-conversations-props.js';
import { ProductFunction, type TableAction } from './product-function.js';

export * from './page-conversations-props.js';

/** The routes of the contract, all served by the API function. */
export const API_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = [
  { method: HttpMethod.GET, path: '/health' },
  { method: HttpMethod.GET, path: '/openapi.json' },
  { method: HttpMethod.GET, path: '/pages/{pageId}/conversations' },
  { method: HttpMethod.GET, path: '/pages/{pageId}/sync' },
  { method: HttpMethod.POST, path: '/pages/{pageId}/sync' },
];

/** API Gateway HTTP APIs give up on an integration after 30 s: answer before it does. */
const API_TIMEOUT = Duration.seconds(29);
/** Listing the secrets and sending one message per Page. */
const SCHEDULE_TIMEOUT = Duration.seconds(60);
/** One Page's sync; a longer one checkpoints and resumes on the next run. */
const WORKER_TIMEOUT = Duration.minutes(5);
/** One Page per invocation, so each Page gets the whole time budget and fails alone. */
const WORKER_BATCH_SIZE = 1;
/** Deliveries of a sync message before it goes to the dead-letter queue. */
const MAX_RECEIVE_COUNT = 3;
/**
 * Requests per second across the API, and the burst above it. Well above what Graph lets one Page
 * serve (about 2 calls per second), low enough that a runaway client cannot run up a Lambda bill.
 */
const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/**
 * Exactly the calls `lib/` makes, per function (a test reads them off the synthesized policies): the API
 * reads cursors, back-off marks and sync state (GetItem), writes cursors and back-off marks (PutItem)
 * and reads the index (Query). The worker also updates sync state and index entries in place
 * (UpdateItem) and counts the index (Query). Neither deletes: expiry is DynamoDB's TTL.
 */
const API_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'Query'];
const WORKER_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'Query'];

/**
 * Messenger and Instagram conversations of Facebook Pages, served from the customer's own account:
 * an HTTP API with the routes of the contract, one DynamoDB table, Page tokens read from Secrets
 * Manager, and a scheduled sync that fans out one SQS message per Page to a worker.
 *
 * Secrets encrypted with a customer-managed KMS key also need `kms:Decrypt` for `apiFunction.role`
 * and `syncWorkerFunction.role` on that key: grant it where the key is managed.
 */
export class PageConversations extends Construct {
  readonly api: HttpApi;
  /** The API's base URL, ending in `/`. */
  readonly apiUrl: string;
  readonly table: TableV2;
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

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      globalSecondaryIndexes: GLOBAL_INDEXES.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: TABLE_KEYS.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: config.removalPolicy,
    });
    const indexNames = GLOBAL_INDEXES.map((index) => index.indexName);

    this.syncDeadLetterQueue = new Queue(this, 'SyncDeadLetterQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    this.syncQueue = new Queue(this, 'SyncQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      // AWS's rule for Lambda consumers: six times the function timeout, so retries of a slow batch
      // are not handed to a second worker while the first still runs.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.syncDeadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    const secretArn = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${config.tokenSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const readTokens = new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secretArn],
    });
    const sendSyncMessages = new PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [this.syncQueue.queueArn],
    });
    const graphEnvironment: Record<string, string> = {
      TOKEN_SECRET_PREFIX: config.tokenSecretPrefix,
      GRAPH_API_VERSION: config.graphApiVersion,
      ...(config.graphApiBaseUrl === undefined ? {} : { GRAPH_API_BASE_URL: config.graphApiBaseUrl }),
      SYNC_PLATFORMS: config.platforms.join(','),
      SYNC_FOLDERS: config.folders.join(','),
    };
    const common = {
      memorySize: config.memorySize,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
    };

    this.apiFunction = new ProductFunction(this, 'ApiFunction', {
      ...common,
      entry: 'functions/api.ts',
      description: 'Page conversations: HTTP API',
      serviceName: 'page-conversations-api',
      timeout: API_TIMEOUT,
      environment: { ...graphEnvironment, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
    })
      .bindTable(this.table, API_TABLE_ACTIONS, indexNames)
      .allow(readTokens)
      .allow(sendSyncMessages);

    this.syncScheduleFunction = new ProductFunction(this, 'SyncScheduleFunction', {
      ...common,
      entry: 'functions/sync-schedule.ts',
      description: 'Page conversations: lists the Pages and queues one sync per Page',
      serviceName: 'page-conversations-sync-schedule',
      timeout: SCHEDULE_TIMEOUT,
      environment: { TOKEN_SECRET_PREFIX: config.tokenSecretPrefix, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
    })
      .allow(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }))
      .allow(sendSyncMessages);

    this.syncWorkerFunction = new ProductFunction(this, 'SyncWorkerFunction', {
      ...common,
      entry: 'functions/sync-worker.ts',
      description: 'Page conversations: syncs one Page into the conversation index',
      serviceName: 'page-conversations-sync-worker',
      timeout: WORKER_TIMEOUT,
      environment: {
        ...graphEnvironment,
        ...(config.maxGraphCalls === undefined ? {} : { SYNC_MAX_GRAPH_CALLS: String(config.maxGraphCalls) }),
      },
    })
      .bindTable(this.table, WORKER_TABLE_ACTIONS, indexNames)
      .allow(readTokens);
    this.syncWorkerFunction.fn.addEventSource(
      new SqsEventSource(this.syncQueue, {
        batchSize: WORKER_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: config.concurrency,
      }),
    );

    for (const reader of [this.apiFunction, this.syncWorkerFunction]) {
      Validations.of(reader).acknowledge({
        id: iam5ResourceFinding(this, secretArn),
        reason: NAG_REASONS.secretPrefix,
      });
    }
    Validations.of(this.syncScheduleFunction).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: NAG_REASONS.listSecrets,
    });

    this.syncRule = new Rule(this, 'SyncSchedule', {
      description: 'Page conversations: starts the scheduled sync of every Page',
      schedule: config.schedule,
      targets: [new LambdaFunction(this.syncScheduleFunction.fn)],
    });

    const { api, stage } = this.createApi(config);
    this.api = api;
    this.apiUrl = stage.url;
    this.alarms = this.createAlarms(props.alarmTopic);
  }

  private createApi(config: ResolvedProps): { api: HttpApi; stage: HttpStage } {
    const authorizer: IHttpRouteAuthorizer =
      config.authorization.type === 'jwt'
        ? new HttpJwtAuthorizer('JwtAuthorizer', config.authorization.issuer, {
            jwtAudience: [...config.authorization.audience],
          })
        : new HttpIamAuthorizer();

    // The default authorizer covers every route, including any added to `api` later. /health and
    // /openapi.json stay behind it too: nothing about this API is public, and no anonymous caller can
    // spend the account's Lambda invocations.
    const api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Page conversations: Messenger and Instagram conversations of Facebook Pages',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Minimal on purpose: the route key, never the raw path or query string.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLatency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction.fn, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of API_ROUTES) {
      api.addRoutes({ path: route.path, methods: [route.method], integration });
    }
    return { api, stage };
  }

  private createAlarms(topic: ITopic | undefined): Alarm[] {
    const period = Duration.minutes(5);
    const alarms: Alarm[] = [];
    const alarm = (id: string, metric: IMetric, description: string): void => {
      const created = new Alarm(this, id, {
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (topic !== undefined) {
        created.addAlarmAction(new SnsAction(topic));
        created.addOkAction(new SnsAction(topic));
      }
      alarms.push(created);
    };

    const functions = [
      ['Api', this.apiFunction],
      ['SyncSchedule', this.syncScheduleFunction],
      ['SyncWorker', this.syncWorkerFunction],
    ] as const;
    for (const [name, fn] of functions) {
      alarm(
        `${name}ErrorsAlarm`,
        fn.fn.metricErrors({ period, statistic: Stats.SUM }),
        `The ${name} function failed invocations (uncaught errors or timeouts). See its log group.`,
      );
      alarm(
        `${name}ThrottlesAlarm`,
        fn.fn.metricThrottles({ period, statistic: Stats.SUM }),
        `The ${name} function was throttled: the account's Lambda concurrency is exhausted.`,
      );
    }
    alarm(
      'SyncDeadLetterAlarm',
      this.syncDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: Stats.MAXIMUM }),
      `Sync messages failed ${MAX_RECEIVE_COUNT} times and wait in the dead-letter queue; redrive them once the cause is fixed.`,
    );
    alarm(
      'Api5xxAlarm',
      this.api.metricServerError({ period, statistic: Stats.SUM }),
      'The HTTP API answered 5xx (function errors, timeouts or throttling).',
    );

    const failedRuns = new MetricFilter(this, 'SyncRunFailedMetricFilter', {
      logGroup: this.syncWorkerFunction.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', SYNC_RUN_FAILED_MESSAGE),
      metricNamespace: `PageConversations/${Stack.of(this).stackName}`,
      metricName: 'SyncRunsFailed',
      metricValue: '1',
    });
    alarm(
      'SyncRunFailedAlarm',
      failedRuns.metric({ period, statistic: Stats.SUM }),
      `A Page's sync run failed ("${SYNC_RUN_FAILED_MESSAGE}" in the worker's log); GET /pages/{pageId}/sync shows the error.`,
    );
    return alarms;
  }
}
