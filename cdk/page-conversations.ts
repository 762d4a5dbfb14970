import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_GRAPH_VERSION } from '#lib/config.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '#lib/conversations/vocabulary.js';
import { TABLE_KEYS } from '#lib/store/table-schema.js';
import { HouseFunction, type TableAction } from './house-function.js';
import { iam5ResourceFinding, NAG_REASONS } from './nag-suppressions.js';

/** How callers prove who they are. Every route, `/health` and `/openapi.json` included, requires it. */
export type ApiAuthorization =
  /** SigV4-signed requests from IAM principals allowed `execute-api:Invoke` on this API. */
  | { readonly type: 'iam' }
  /** A bearer JWT from `issuer` whose `aud` (or `client_id`) is one of `audience`. */
  | { readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

export interface PageConversationsProps {
  /**
   * The secret of Page P is named `<tokenSecretPrefix><P>` (a plain token, or JSON with
   * `access_token` and `app_secret`). The functions may read every secret under this prefix and no
   * other, so give it a prefix of its own, e.g. `page-conversations/page-`. Required.
   */
  readonly tokenSecretPrefix: string;
  /**
   * When the scheduled sync runs: an EventBridge schedule, or a number of minutes between runs
   * (at least 1). A quiet Page costs one Graph call per run and partition.
   * @default every 15 minutes
   */
  readonly syncSchedule?: Schedule | number;
  /**
   * The platforms the scheduled sync indexes; `updated_since` can serve only these.
   * @default ['messenger', 'instagram']
   */
  readonly syncPlatforms?: readonly Platform[];
  /**
   * The folders the scheduled sync indexes; `updated_since` can serve only these.
   * @default ['inbox', 'other']
   */
  readonly syncFolders?: readonly Folder[];
  /**
   * A cap on Graph calls per Page per run; past it the run ends `partial` and resumes next time.
   * Bounds what one Page can spend of the shared Graph quota.
   * @default no cap: the worker's 5-minute time limit decides
   */
  readonly syncMaxGraphCalls?: number;
  /**
   * How many sync workers run at once (the SQS event source's maximum concurrency, 2 to 1000).
   * Each works on one Page, so this bounds the Lambda concurrency and Graph load the sync takes.
   * @default 5
   */
  readonly syncConcurrency?: number;
  /**
   * How callers of the HTTP API authenticate.
   * @default { type: 'iam' }: SigV4, no anonymous access
   */
  readonly authorization?: ApiAuthorization;
  /**
   * Memory of each function in MB (128 to 10240). More memory also buys CPU, which shortens JSON
   * parsing and TLS; 512 MB keeps cold starts short at a small cost.
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the functions' logs and the API access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * What happens to the table and the log groups when the stack is deleted. The table holds sync
   * state that takes Graph calls to rebuild, so it is kept unless you say otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The Graph API version the functions call, e.g. `v24.0`. Set here, it is visible and changes
   * only with a deployment.
   * @default the version the code was written against (`DEFAULT_GRAPH_VERSION`)
   */
  readonly graphApiVersion?: string;
  /**
   * Another Graph origin (a test double or a proxy).
   * @default unset: https://graph.facebook.com
   */
  readonly graphApiBaseUrl?: string;
  /**
   * Where the alarms send their ALARM and OK notifications.
   * @default no actions: the alarms are visible in CloudWatch only
   */
  readonly alarmTopic?: ITopic;
}

/** Thrown at synth time for props that cannot work; the message names the prop and what it takes. */
export class PageConversationsPropsError extends Error {
  override readonly name = 'PageConversationsPropsError';
}

export const DEFAULT_SYNC_MINUTES = 15;
export const DEFAULT_SYNC_PLATFORMS: readonly Platform[] = ['messenger', 'instagram'];
export const DEFAULT_SYNC_FOLDERS: readonly Folder[] = ['inbox', 'other'];
export const DEFAULT_SYNC_CONCURRENCY = 5;
export const DEFAULT_MEMORY_SIZE = 512;

/** The sync worker logs exactly this `message` (JSON log line) when a run fails; an alarm counts it. */
export const SYNC_RUN_FAILED_MESSAGE = 'sync run failed';

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
/** Characters Secrets Manager allows in a secret name. */
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;
/** Leaves room for a Page id (up to 20 digits) within the 512-character secret name limit. */
const MAX_PREFIX_LENGTH = 480;

/**
 * Exactly the calls `lib/` makes, per function (a test reads them off the synthesized policies): the API
 * reads cursors, back-off marks and sync state (GetItem), writes cursors and back-off marks (PutItem)
 * and reads the index (Query). The worker also updates sync state and index entries in place
 * (UpdateItem) and counts the index (Query). Neither deletes: expiry is DynamoDB's TTL.
 */
const API_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'Query'];
const WORKER_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'Query'];

/** The props after validation, defaults filled in. */
export interface ResolvedProps {
  readonly tokenSecretPrefix: string;
  readonly schedule: Schedule;
  readonly platforms: readonly Platform[];
  readonly folders: readonly Folder[];
  readonly maxGraphCalls: number | undefined;
  readonly concurrency: number;
  readonly authorization: ApiAuthorization;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly graphApiVersion: string;
  readonly graphApiBaseUrl: string | undefined;
}

function fail(message: string): never {
  throw new PageConversationsPropsError(`PageConversations: ${message}`);
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be a whole number from ${min} to ${max}, not ${value}.`);
  }
  return value;
}

function subset<T extends string>(name: string, values: readonly string[], allowed: readonly T[]): T[] {
  const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
  if (values.length === 0 || unknown.length > 0) {
    fail(`${name} takes one or more of ${allowed.join(', ')}; got [${values.join(', ')}].`);
  }
  return allowed.filter((value) => values.includes(value));
}

function schedule(value: Schedule | number | undefined): Schedule {
  if (value === undefined) return Schedule.rate(Duration.minutes(DEFAULT_SYNC_MINUTES));
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) {
      fail(`syncSchedule in minutes must be a whole number of at least 1, not ${value}.`);
    }
    return Schedule.rate(Duration.minutes(value));
  }
  const expression = value.expressionString;
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if ((rate && Number(rate[1]) >= 1) || /^cron\(.+\)$/.test(expression)) return value;
  fail(`syncSchedule must be a rate of at least 1 minute or a cron expression, not "${expression}".`);
}

function authorization(value: ApiAuthorization | undefined): ApiAuthorization {
  if (value === undefined || value.type === 'iam') return { type: 'iam' };
  if (value.type !== 'jwt') fail(`authorization.type must be "iam" or "jwt".`);
  let issuer: URL | undefined;
  try {
    issuer = new URL(value.issuer);
  } catch {
    issuer = undefined;
  }
  if (issuer?.protocol !== 'https:') {
    fail(`authorization.issuer must be the https URL of the JWT issuer (its "iss"), not "${value.issuer}".`);
  }
  if (value.audience.length === 0 || value.audience.some((audience) => audience.trim() === '')) {
    fail('authorization.audience must list at least one non-empty audience (the "aud" or "client_id").');
  }
  return { type: 'jwt', issuer: value.issuer, audience: [...value.audience] };
}

function baseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(`graphApiBaseUrl must be an absolute http(s) URL, not "${value}".`);
  }
  return url.origin;
}

/** Checks every prop and fills in the defaults; throws `PageConversationsPropsError` naming the prop. */
export function resolveProps(props: PageConversationsProps): ResolvedProps {
  const prefix = props.tokenSecretPrefix;
  if (
    typeof prefix !== 'string' ||
    !SECRET_NAME_CHARACTERS.test(prefix) ||
    prefix.length > MAX_PREFIX_LENGTH
  ) {
    fail(
      `tokenSecretPrefix must be 1 to ${MAX_PREFIX_LENGTH} characters from A-Z a-z 0-9 / _ + = . @ - ` +
        `(a secret name's characters), e.g. "page-conversations/page-"; got "${String(prefix)}".`,
    );
  }
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (removalPolicy === RemovalPolicy.SNAPSHOT) {
    fail('removalPolicy must be RETAIN or DESTROY: DynamoDB tables have no snapshot on delete.');
  }
  const version = props.graphApiVersion ?? DEFAULT_GRAPH_VERSION;
  if (!/^v\d+\.\d+$/.test(version)) fail(`graphApiVersion must look like v24.0, not "${version}".`);
  return {
    tokenSecretPrefix: prefix,
    schedule: schedule(props.syncSchedule),
    platforms: subset('syncPlatforms', props.syncPlatforms ?? DEFAULT_SYNC_PLATFORMS, PLATFORMS),
    folders: subset('syncFolders', props.syncFolders ?? DEFAULT_SYNC_FOLDERS, FOLDERS),
    maxGraphCalls:
      props.syncMaxGraphCalls === undefined
        ? undefined
        : wholeNumber('syncMaxGraphCalls', props.syncMaxGraphCalls, 1, 1_000_000),
    concurrency: wholeNumber('syncConcurrency', props.syncConcurrency ?? DEFAULT_SYNC_CONCURRENCY, 2, 1000),
    authorization: authorization(props.authorization),
    memorySize: wholeNumber('memorySize', props.memorySize ?? DEFAULT_MEMORY_SIZE, 128, 10_240),
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    removalPolicy,
    graphApiVersion: version,
    graphApiBaseUrl: baseUrl(props.graphApiBaseUrl),
  };
}

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
  readonly apiFunction: HouseFunction;
  readonly syncScheduleFunction: HouseFunction;
  readonly syncWorkerFunction: HouseFunction;
  readonly syncRule: Rule;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: PageConversationsProps) {
    super(scope, id);
    const config = resolveProps(props);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      globalSecondaryIndexes: [
        {
          indexName: TABLE_KEYS.byUpdatedTime.indexName,
          partitionKey: { name: TABLE_KEYS.byUpdatedTime.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE_KEYS.byUpdatedTime.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
      ],
      timeToLiveAttribute: TABLE_KEYS.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: config.removalPolicy,
    });
    const indexNames = [TABLE_KEYS.byUpdatedTime.indexName];

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

    this.apiFunction = new HouseFunction(this, 'ApiFunction', {
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

    this.syncScheduleFunction = new HouseFunction(this, 'SyncScheduleFunction', {
      ...common,
      entry: 'functions/sync-schedule.ts',
      description: 'Page conversations: lists the Pages and queues one sync per Page',
      serviceName: 'page-conversations-sync-schedule',
      timeout: SCHEDULE_TIMEOUT,
      environment: { TOKEN_SECRET_PREFIX: config.tokenSecretPrefix, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
    })
      .allow(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }))
      .allow(sendSyncMessages);

    this.syncWorkerFunction = new HouseFunction(this, 'SyncWorkerFunction', {
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
