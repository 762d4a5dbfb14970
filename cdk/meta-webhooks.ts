import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type IMetric, Stats, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APP_SECRET_PLACEHOLDER } from '#lib/config/settings-webhooks.js';
import { REFRESH_BATCH_SIZE, refreshWorkersFor, WEBHOOK_BURST_PER_RATE } from '#lib/config/stack-sizing.js';
import { routesOf, WEBHOOK_PATH } from '#lib/domain/routes.js';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  WEBHOOK_REFUSAL_REASONS,
} from '#lib/telemetry/metric-names.js';
import { productMetric } from './alarms.js';
import type { ConversationsApi } from './conversations-api.js';
import type { ConversationsTable } from './conversations-table.js';
import { type ChangeEventBus, grantPutChangeEvents } from './event-bus-access.js';
import { grantGraphAccess } from './graph-access.js';
import { iam5ResourceFinding, NAG_REASONS } from './nag-suppressions.js';
import { functionDefaults, ProductFunction } from './product-function.js';
import type { ResolvedProps } from './resolve-props.js';
import { RECEIVER_TABLE_ACCESS, REFRESH_TABLE_ACCESS } from './table-access.js';
import { WorkQueue } from './work-queue.js';

/** Meta waits 5 seconds for an answer; the receiver verifies and enqueues in milliseconds. */
const RECEIVER_TIMEOUT = Duration.seconds(10);
/** A few paced Graph calls (one per folder until found) per request, a batch at a time. */
const REFRESH_TIMEOUT = Duration.seconds(60);
/** Deliveries of a refresh message before the dead-letter queue: only our own faults fail one. */
export const REFRESH_MAX_RECEIVE_COUNT = 3;

/** Not a secret and not a real value: every request is refused until the customer sets theirs. */
export { APP_SECRET_PLACEHOLDER };
/**
 * API Gateway's throttles of the webhook routes, counted from the access log: HTTP APIs publish no
 * throttle metric, and a throttled request never reaches the receiver, which counts the other refusals.
 */
export const WEBHOOK_THROTTLED_METRIC = 'WebhookRequestsThrottled';

export interface MetaWebhooksProps {
  readonly config: ResolvedProps;
  readonly table: ConversationsTable;
  readonly api: ConversationsApi;
  readonly eventBus: ChangeEventBus;
  /** The customer's secret; one of this construct's own when undefined. */
  readonly secret: ISecret | undefined;
}

/**
 * Meta Webhooks: the receiver on the API's public routes (the webhooks and Meta's data-deletion
 * callback), which verifies Meta and enqueues, and the targeted refresh behind the queue, which calls
 * Graph as the sync does (the same pacing, back-off, index and change events). The receiver's role reads
 * the one webhook secret, sends to the queues and keeps the callback's request statuses (`DELETION#`),
 * nothing else; the refresh worker's role is the sync worker's, narrowed to what a refresh writes.
 */
export class MetaWebhooks extends Construct {
  readonly secret: ISecret;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly receiverFunction: ProductFunction;
  readonly refreshFunction: ProductFunction;
  /** The refresh worker's maximum concurrency. */
  readonly refreshConcurrency: number;
  readonly routes: readonly HttpRoute[];
  /** The callback URL to enter in Meta's app dashboard. */
  readonly callbackUrl: string;
  /** Each count of refused webhook requests: the receiver's refusals and the routes' throttles. */
  readonly refusedRequests: readonly IMetric[];

  constructor(scope: Construct, id: string, props: MetaWebhooksProps) {
    super(scope, id);
    const { config } = props;
    this.secret = props.secret ?? this.createSecret(config);

    // Under the id `Default`, which CDK leaves out of logical ids: the queues keep those of deployed stacks.
    const work = new WorkQueue(this, 'Default', {
      encryptionKey: config.encryptionKey,
      consumerTimeout: REFRESH_TIMEOUT,
      maxReceiveCount: REFRESH_MAX_RECEIVE_COUNT,
      ids: { queue: 'RefreshQueue', deadLetterQueue: 'RefreshDeadLetterQueue' },
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;

    this.receiverFunction = new ProductFunction(this, 'ReceiverFunction', {
      ...functionDefaults(config),
      entry: 'functions/webhook-receiver.ts',
      description: 'Page conversations: receives Meta Webhooks, verifies them and queues refreshes',
      serviceName: 'page-conversations-webhook-receiver',
      timeout: RECEIVER_TIMEOUT,
      environment: { WEBHOOK_SECRET_ID: this.secret.secretArn, WEBHOOK_QUEUE_URL: this.queue.queueUrl },
    })
      // Meta's data-deletion callback records each request's status, and reads it for the status page.
      .bindTable(props.table, RECEIVER_TABLE_ACCESS);
    this.grantReadSecret(this.receiverFunction, props.secret === undefined);
    work.grantSend(this.receiverFunction);

    this.refreshFunction = new ProductFunction(this, 'RefreshFunction', {
      ...functionDefaults(config),
      entry: 'functions/webhook-refresh.ts',
      description: 'Page conversations: refreshes the conversations Meta Webhooks name',
      serviceName: 'page-conversations-webhook-refresh',
      timeout: REFRESH_TIMEOUT,
      environment: { WEBHOOK_QUEUE_URL: this.queue.queueUrl },
    }).bindTable(props.table, REFRESH_TABLE_ACCESS);
    grantGraphAccess(this.refreshFunction, config);
    grantPutChangeEvents(this.refreshFunction, props.eventBus);
    // A refresh that must wait (a throttled Page, one in flight) goes back to its own queue, delayed.
    work.grantSend(this.refreshFunction);
    // Sized for the peak of Meta's deliveries, and never below the sync's workers (it once took theirs).
    this.refreshConcurrency = Math.max(config.syncConcurrency, refreshWorkersFor(config.expectedPages));
    work.consume(this.refreshFunction, {
      batchSize: REFRESH_BATCH_SIZE,
      maxConcurrency: this.refreshConcurrency,
    });

    const integration = new HttpLambdaIntegration('ReceiverIntegration', this.receiverFunction);
    // The receiver's rows of the route table: public, each with its own throttle; Meta's webhook routes
    // take the deployment's (webhookRateLimit), sized for its Pages, the data-deletion ones the table's.
    const webhookThrottle = {
      rateLimit: config.webhookRateLimit,
      burstLimit: WEBHOOK_BURST_PER_RATE * config.webhookRateLimit,
    };
    this.routes = routesOf('webhook-receiver').map((route) =>
      props.api.addTableRoute(route, integration, route.path === WEBHOOK_PATH ? webhookThrottle : undefined),
    );
    // The stage URL ends in "/"; Meta wants the full callback URL.
    this.callbackUrl = `${props.api.stage.url}${WEBHOOK_PATH.slice(1)}`;
    // One metric per reason the receiver gives (a metric is a name and all its dimensions).
    this.refusedRequests = [
      ...WEBHOOK_REFUSAL_REASONS.map((reason) =>
        productMetric(METRIC_NAMES.webhookRefused, this.receiverFunction.serviceName, {
          [METRIC_DIMENSIONS.reason]: reason,
        }),
      ),
      this.countThrottles(props.api),
    ];
  }

  /** A metric filter on the API's access log: each 429 of a route the receiver serves counts 1, per API. */
  private countThrottles(api: ConversationsApi): IMetric {
    const routeKeys = routesOf('webhook-receiver').map(({ method, path }) =>
      FilterPattern.stringValue('$.routeKey', '=', `${method} ${path}`),
    );
    const filter = new MetricFilter(this, 'ThrottledRequests', {
      logGroup: api.accessLogs,
      filterPattern: FilterPattern.all(
        FilterPattern.any(...routeKeys),
        FilterPattern.stringValue('$.status', '=', '429'),
      ),
      metricNamespace: METRICS_NAMESPACE,
      metricName: WEBHOOK_THROTTLED_METRIC,
      metricValue: '1',
      dimensions: { ApiId: '$.apiId' },
      unit: Unit.COUNT,
    });
    return filter.metric({
      dimensionsMap: { ApiId: api.apiId },
      statistic: Stats.SUM,
      period: Duration.minutes(5),
    });
  }

  private createSecret(config: ResolvedProps): Secret {
    const secret = new Secret(this, 'Secret', {
      description:
        'Page conversations: Meta Webhooks. Set app_secret to your Meta app secret; enter verify_token as the Verify Token in the app dashboard.',
      encryptionKey: config.encryptionKey,
      removalPolicy: config.removalPolicy,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ app_secret: APP_SECRET_PLACEHOLDER }),
        generateStringKey: 'verify_token',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    Validations.of(secret).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: NAG_REASONS.webhookSecretRotation },
      { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason: NAG_REASONS.webhookSecretRotation },
    );
    if (config.encryptionKey === undefined) {
      Validations.of(secret).acknowledge({
        id: 'NIST.800.53.R5-SecretsManagerUsingKMSKey',
        reason: NAG_REASONS.secretWithoutCustomerKey,
      });
    }
    return secret;
  }

  /**
   * `GetSecretValue` on the one secret, and decryption with the construct's key when it encrypts it.
   * A secret given by name has a partial ARN: its 6-character suffix is matched by `-??????`, as CDK's
   * own grants do, and that wildcard is acknowledged for exactly this ARN.
   */
  private grantReadSecret(fn: ProductFunction, owned: boolean): void {
    const arn = this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`;
    fn.allow(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
    if (this.secret.secretFullArn === undefined) {
      Validations.of(fn.role).acknowledge({
        id: iam5ResourceFinding(fn, arn),
        reason: NAG_REASONS.namedSecret,
      });
    }
    if (owned) this.secret.encryptionKey?.grant(fn, 'kms:Decrypt');
  }
}
