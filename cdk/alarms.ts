import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '#lib/telemetry/metric-names.js';

export interface ProductAlarmsProps {
  readonly api: IHttpApi;
  /** Every dead-letter queue, by the name the alarm's words use. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** `POWERTOOLS_SERVICE_NAME` of the sync worker, which counts the runs. */
  readonly syncWorkerService: string;
  /** `POWERTOOLS_SERVICE_NAME` of each function that can mark a token invalid. */
  readonly tokenCheckingServices: readonly string[];
  /** Where ALARM and OK notifications go; none without it. */
  readonly topic?: ITopic;
}

const PERIOD = Duration.minutes(5);

/** One of the product's own counts (`lib/telemetry/metric-names.ts`) from one function. */
export function productMetric(
  name: string,
  service: string,
  dimensions: Readonly<Record<string, string>> = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service, ...dimensions },
    statistic: Stats.SUM,
    period: PERIOD,
  });
}

/** The sum of several metrics as one alarm's metric; a metric that reported nothing counts as 0. */
function sumOf(metrics: readonly IMetric[], label: string): MathExpression {
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric]));
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    label,
    period: PERIOD,
  });
}

/**
 * Four alarms, each a symptom an operator acts on, firing on the first occurrence in 5 minutes. A
 * cause that shows in another alarm has none of its own, since CloudWatch bills every metric an alarm
 * reads ($0.10 a month each, metric math included): the API and webhook functions' errors, timeouts
 * and throttles are API Gateway 5xx answers; a background function that keeps failing (the schedule,
 * the sync or refresh worker: errors, timeouts, throttles alike) ends in a dead-letter queue, and
 * Lambda's own retries absorb the failures that pass. Errors, durations and throttles per function
 * stay on the dashboard.
 */
export class ProductAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ProductAlarmsProps) {
    super(scope, id);
    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, metric: IMetric, description: string): void => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.topic !== undefined) {
        created.addAlarmAction(new SnsAction(props.topic));
        created.addOkAction(new SnsAction(props.topic));
      }
      alarms.push(created);
    };

    alarm(
      'Api5xxAlarm',
      props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
      'The HTTP API answered 5xx: an error, timeout or throttle of the API function, or of the webhook receiver (then Meta delivers again). See their log groups.',
    );
    const queues = Object.entries(props.deadLetterQueues);
    alarm(
      'DeadLettersAlarm',
      sumOf(
        queues.map(([, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
        ),
        'Messages in the dead-letter queues',
      ),
      `Work failed after its retries and waits in a dead-letter queue (${queues.map(([name]) => name).join(', ')}); the dashboard shows which. Fix the cause (see that function's log group), then redrive the queue.`,
    );
    alarm(
      'SyncRunFailedAlarm',
      productMetric(METRIC_NAMES.syncRuns, props.syncWorkerService, {
        [METRIC_DIMENSIONS.outcome]: 'failed',
      }),
      "A Page's sync run failed; GET /pages/{pageId}/sync shows the error.",
    );
    alarm(
      'InvalidTokensAlarm',
      sumOf(
        props.tokenCheckingServices.map((service) =>
          productMetric(METRIC_NAMES.tokensMarkedInvalid, service),
        ),
        'Page tokens marked invalid',
      ),
      'Graph rejected a Page token: GET /pages lists the Page with token.status invalid and the reason. No Graph call is spent on it until its secret is updated (npm run pages -- add or connect).',
    );
    this.alarms = alarms;
  }
}
