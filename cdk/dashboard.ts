import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  type Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricDimensionName,
} from '#lib/telemetry/metric-names.js';

export interface ProductDashboardProps {
  readonly api: HttpApi;
  /** Each function by the name its lines carry. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The work queues (depth and age of the oldest message), by name. */
  readonly queues: Readonly<Record<string, IQueue>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly alarms: readonly Alarm[];
  /** Every `POWERTOOLS_SERVICE_NAME` of this construct: the product's metrics are read for these. */
  readonly services: readonly string[];
  /** Whether the construct has Meta Webhooks: their graphs are left out without. */
  readonly webhooks: boolean;
}

const PERIOD = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

/**
 * The operator's one page: the product's own counts (Powertools EMF, namespace `PageConversations`),
 * then Lambda, API Gateway and SQS. A product count is drawn with a CloudWatch search over this
 * construct's services, one line per dimension value, so a new Graph code or outcome appears without
 * a deployment; a search reads only what exists, so a quiet deployment draws empty graphs, not errors.
 */
export class ProductDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ProductDashboardProps) {
    super(scope, id);
    const services = props.services.map((service) => `"${service}"`).join(' OR ');
    /** One line per value of `dimension` over the services (or one per service without one), by `statistic`. */
    const search = (name: string, statistic: 'Sum' | 'Maximum', dimension?: MetricDimensionName): IMetric => {
      const schema = dimension === undefined ? 'service' : `${dimension},service`;
      const expression = `SEARCH('{${METRICS_NAMESPACE},${schema}} MetricName="${name}" service=(${services})', '${statistic}', ${PERIOD.toSeconds()})`;
      return new MathExpression({ expression, usingMetrics: {}, label: '', period: PERIOD });
    };
    const counts = (name: string, dimension?: MetricDimensionName): IMetric => search(name, 'Sum', dimension);
    /** A level the functions report now and then (0 included): its largest value of each period. */
    const level = (name: string): IMetric => search(name, 'Maximum');
    const graph = (title: string, left: IMetric[], right: IMetric[] = []): GraphWidget =>
      new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });
    const perFunction = (pick: (fn: IFunction) => Metric): IMetric[] =>
      Object.entries(props.functions).map(([name, fn]) => pick(fn).with({ label: name }));
    const perQueue = (queues: Readonly<Record<string, IQueue>>, pick: (queue: IQueue) => Metric): IMetric[] =>
      Object.entries(queues).map(([name, queue]) => pick(queue).with({ label: name }));
    const { outcome, graphCode, source, reason } = METRIC_DIMENSIONS;

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            "# Page conversations\nGraph calls, syncs and webhooks from the functions' own metrics (namespace `" +
            `${METRICS_NAMESPACE}\`), then Lambda, API Gateway and SQS. Alarms on the right.`,
          width: 16,
          height: HEIGHT,
        }),
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: HEIGHT }),
      ],
      [
        graph('Graph calls by outcome', [counts(METRIC_NAMES.graphCalls, outcome)]),
        graph('Graph errors by code', [counts(METRIC_NAMES.graphErrors, graphCode)]),
        graph(
          'Throttles by source, and retries',
          [counts(METRIC_NAMES.throttles, source)],
          [counts(METRIC_NAMES.graphRetries)],
        ),
      ],
      [
        graph('Sync runs by outcome', [counts(METRIC_NAMES.syncRuns, outcome)]),
        graph(
          'Conversations changed, skipped items',
          [counts(METRIC_NAMES.conversationsChanged)],
          [counts(METRIC_NAMES.skippedItems)],
        ),
        graph('Change events: delivered, failed', [
          counts(METRIC_NAMES.changeEventsEmitted),
          counts(METRIC_NAMES.changeEventsFailed),
        ]),
      ],
      [
        ...(props.webhooks
          ? [
              graph(
                'Webhook deliveries by outcome, and refusals',
                [counts(METRIC_NAMES.webhookDeliveries, outcome)],
                [counts(METRIC_NAMES.webhookRefused, reason)],
              ),
              graph(
                'Webhook refreshes by outcome, and Pages not subscribed',
                [counts(METRIC_NAMES.webhookRefreshes, outcome)],
                [level(METRIC_NAMES.pagesNotSubscribed)],
              ),
            ]
          : []),
        graph('Invalid tokens, cursor misses, 503 unavailable', [
          counts(METRIC_NAMES.tokensMarkedInvalid),
          counts(METRIC_NAMES.cursorMisses),
          counts(METRIC_NAMES.storeUnavailable),
        ]),
      ],
      [
        graph(
          'Lambda errors',
          perFunction((fn) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM })),
        ),
        graph(
          'Lambda duration (p99)',
          perFunction((fn) => fn.metricDuration({ period: PERIOD, statistic: Stats.p(99) })),
        ),
        graph(
          'Lambda throttles',
          perFunction((fn) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM })),
        ),
      ],
      [
        graph(
          'API requests and 4xx / 5xx',
          [props.api.metricCount({ period: PERIOD, statistic: Stats.SUM })],
          [
            props.api.metricClientError({ period: PERIOD, statistic: Stats.SUM }),
            props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
          ],
        ),
        graph(
          'Queue depth, and age of the oldest message (s)',
          perQueue(props.queues, (queue) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
          ),
          perQueue(props.queues, (queue) =>
            queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: Stats.MAXIMUM }),
          ),
        ),
        graph(
          'Dead-letter queue depth',
          perQueue(props.deadLetterQueues, (queue) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
          ),
        ),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', { widgets: rows, defaultInterval: Duration.hours(6) });
  }
}
