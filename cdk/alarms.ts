import { Duration, Validations } from 'aws-cdk-lib';
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
import { routeLabel } from '#lib/domain/routes.js';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '#lib/telemetry/metric-names.js';
import { NAG_REASONS } from './nag-suppressions.js';

/** What the webhook alarms read, when the construct has webhooks. */
export interface WebhookAlarmSources {
  /** The refresh queue: its depth and the age of its oldest message. */
  readonly refreshQueue: IQueue;
  /** Each count of refused webhook requests (the receiver's refusals, the route's throttles). */
  readonly refused: readonly IMetric[];
  /** `POWERTOOLS_SERVICE_NAME` of the schedule function, which reports `PagesNotSubscribed` each round. */
  readonly scheduleService: string;
}

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
  /**
   * The sync queue and the schedule's interval: a message older than the interval means a round did
   * not finish within it (the workers are too few for the Pages). Folded into the dead-letter alarm.
   */
  readonly syncRound?: { readonly queue: IQueue; readonly intervalSeconds: number };
  /** The webhooks' queue and refusals; no webhook alarms without it. */
  readonly webhooks?: WebhookAlarmSources;
}

const PERIOD = Duration.minutes(5);
/**
 * A refresh backlog: more messages waiting than the workers clear in minutes (10 workers x 5 messages,
 * each a few paced Graph calls), or a message waiting longer than a retried one ever should (three
 * deliveries 6 minutes apart, plus a deferral). Either means refreshes arrive faster than Graph lets
 * them run: a flood of signed deliveries (a leaked app secret), or Pages throttled by Graph.
 */
export const REFRESH_BACKLOG_LIMITS = { messages: 1000, ageSeconds: 1800 } as const;
/**
 * Refused webhook requests in 5 minutes before the alarm fires: Meta signs every delivery it sends,
 * so a few refusals are stray scanners, and more are a flood of junk, a wrong or unset app secret
 * (Meta's own deliveries refused), or Meta's deliveries over the route throttle.
 */
export const REFUSED_WEBHOOKS_THRESHOLD = 10;
/**
 * The period of the "Pages not subscribed" alarm: several rounds of the default 15-minute schedule, so
 * that any round of the hour that finds one fires it, and an hour of rounds that find none clears it.
 * A schedule longer than this leaves periods without a point, which keep the alarm's state as it was.
 */
export const NOT_SUBSCRIBED_PERIOD = Duration.hours(1);

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
 * Four alarms, and three more with webhooks, each a symptom an operator acts on, firing on the first
 * occurrence in 5 minutes (Pages not subscribed: in an hour of rounds). A
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
    const alarm = (
      alarmId: string,
      metric: IMetric,
      description: string,
      threshold: { value: number; orEqual?: boolean } = { value: 0 },
      missingData: TreatMissingData = TreatMissingData.NOT_BREACHING,
    ): void => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold: threshold.value,
        comparisonOperator: threshold.orEqual
          ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
          : ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: missingData,
        alarmDescription: description,
      });
      if (props.topic !== undefined) {
        created.addAlarmAction(new SnsAction(props.topic));
        created.addOkAction(new SnsAction(props.topic));
      } else {
        Validations.of(created).acknowledge({
          id: 'NIST.800.53.R5-CloudWatchAlarmAction',
          reason: NAG_REASONS.alarmsWithoutTopic,
        });
      }
      alarms.push(created);
    };

    alarm(
      'Api5xxAlarm',
      props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
      'The HTTP API answered 5xx: an error, timeout or throttle of the API function, or of the webhook receiver (then Meta delivers again). See their log groups.',
    );
    const queues = Object.entries(props.deadLetterQueues);
    const deadLetters = sumOf(
      queues.map(([, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
      ),
      'Messages in the dead-letter queues',
    );
    const failedWork = `Work failed after its retries and waits in a dead-letter queue (${queues.map(([name]) => name).join(', ')}); the dashboard shows which. Fix the cause (see that function's log group), then redrive the queue.`;
    const round = props.syncRound;
    alarm(
      'DeadLettersAlarm',
      round === undefined
        ? deadLetters
        : // One alarm, one more metric: a sync message older than the interval counts as one more.
          new MathExpression({
            expression: `dead + IF(FILL(age, 0) > ${round.intervalSeconds}, 1, 0)`,
            usingMetrics: {
              dead: deadLetters,
              age: round.queue.metricApproximateAgeOfOldestMessage({
                period: PERIOD,
                statistic: Stats.MAXIMUM,
              }),
            },
            label: `Dead letters, + 1 when a sync message is older than ${round.intervalSeconds} s`,
            period: PERIOD,
          }),
      round === undefined
        ? failedWork
        : `${failedWork} Or a sync round did not finish within its interval (a sync message waited over ${round.intervalSeconds / 60} minutes): raise syncConcurrency, or lengthen syncSchedule.`,
    );
    alarm(
      'SyncRunFailedAlarm',
      productMetric(METRIC_NAMES.syncRuns, props.syncWorkerService, {
        [METRIC_DIMENSIONS.outcome]: 'failed',
      }),
      `A Page's sync run failed; ${routeLabel('getSyncState')} shows the error.`,
    );
    alarm(
      'InvalidTokensAlarm',
      sumOf(
        props.tokenCheckingServices.map((service) =>
          productMetric(METRIC_NAMES.tokensMarkedInvalid, service),
        ),
        'Page tokens marked invalid',
      ),
      `Graph rejected a Page token: ${routeLabel('listPages')} lists the Page with token.status invalid and the reason. No Graph call is spent on it until its secret is updated (npm run pages -- add or connect).`,
    );
    if (props.webhooks !== undefined) {
      const { refreshQueue, refused } = props.webhooks;
      const { messages, ageSeconds } = REFRESH_BACKLOG_LIMITS;
      // One alarm for both limits: each is scaled to 1 at its limit, and the larger one is compared.
      alarm(
        'RefreshBacklogAlarm',
        new MathExpression({
          expression: `MAX([FILL(depth, 0) / ${messages}, FILL(age, 0) / ${ageSeconds}])`,
          usingMetrics: {
            depth: refreshQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
            }),
            age: refreshQueue.metricApproximateAgeOfOldestMessage({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
            }),
          },
          label: `Refresh backlog (1 = ${messages} messages or ${ageSeconds} s)`,
          period: PERIOD,
        }),
        `The webhook refresh queue holds over ${messages} messages, or one older than ${ageSeconds / 60} minutes: refreshes arrive faster than Graph lets them run (a flood of signed deliveries, i.e. a leaked app secret, or Pages throttled by Graph). See the dashboard's webhook deliveries and throttles.`,
        { value: 1, orEqual: true },
      );
      alarm(
        'WebhooksRefusedAlarm',
        sumOf(refused, 'Webhook requests refused'),
        `More than ${REFUSED_WEBHOOKS_THRESHOLD} webhook requests refused in 5 minutes (a bad or missing signature, the app secret not set, a body over 1 MB, or the route throttle): a flood of junk, or Meta's own deliveries refused because the webhook secret's app_secret is not your app's. The receiver's log group says why.`,
        { value: REFUSED_WEBHOOKS_THRESHOLD },
      );
      alarm(
        'PagesNotSubscribedAlarm',
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC_NAMES.pagesNotSubscribed,
          dimensionsMap: { service: props.webhooks.scheduleService },
          // A level the schedule reports each round, 0 included: the largest of the hour.
          statistic: Stats.MAXIMUM,
          period: NOT_SUBSCRIBED_PERIOD,
        }),
        `A registered Page is not subscribed to this app's webhooks (never subscribed, or Meta dropped the subscription after its deliveries failed): its conversations follow the schedule's pace only. ${routeLabel('listPages')} shows it with webhooks.status not_subscribed; subscribe it (npm run pages -- connect --subscribe-webhooks), or set webhookAutoSubscribe to renew it at the daily check.`,
        { value: 0 },
        // Between rounds of a schedule longer than an hour: the state stands.
        TreatMissingData.IGNORE,
      );
    }
    this.alarms = alarms;
  }
}
