import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SYNC_RUN_FAILED_MESSAGE } from '#lib/telemetry/log-messages.js';

export interface ProductAlarmsProps {
  /** Each function by the name its alarms carry. */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly api: IHttpApi;
  readonly syncDeadLetterQueue: IQueue;
  /** How many deliveries a sync message gets before the dead-letter queue; for the alarm's words. */
  readonly maxReceiveCount: number;
  /** Where scheduled invocations go that failed after Lambda's retries. */
  readonly scheduleDeadLetterQueue: IQueue;
  /** The worker's log group, where a failed run logs `SYNC_RUN_FAILED_MESSAGE`. */
  readonly workerLogGroup: ILogGroup;
  /** Where ALARM and OK notifications go; none without it. */
  readonly topic?: ITopic;
}

/**
 * The alarms an operator acts on, each firing on the first occurrence in 5 minutes: function errors
 * and throttles, messages in either dead-letter queue, API 5xx answers and failed sync runs.
 */
export class ProductAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ProductAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
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

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}ErrorsAlarm`,
        fn.metricErrors({ period, statistic: Stats.SUM }),
        `The ${name} function failed invocations (uncaught errors or timeouts). See its log group.`,
      );
      alarm(
        `${name}ThrottlesAlarm`,
        fn.metricThrottles({ period, statistic: Stats.SUM }),
        `The ${name} function was throttled: the account's Lambda concurrency is exhausted.`,
      );
    }
    alarm(
      'SyncDeadLetterAlarm',
      props.syncDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: Stats.MAXIMUM,
      }),
      `Sync messages failed ${props.maxReceiveCount} times and wait in the dead-letter queue; redrive them once the cause is fixed.`,
    );
    alarm(
      'ScheduleDeadLetterAlarm',
      props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: Stats.MAXIMUM,
      }),
      'A scheduled sync failed to start after Lambda retried it; the event waits in the schedule dead-letter queue. See the SyncSchedule log group.',
    );
    alarm(
      'Api5xxAlarm',
      props.api.metricServerError({ period, statistic: Stats.SUM }),
      'The HTTP API answered 5xx (function errors, timeouts or throttling).',
    );

    const failedRuns = new MetricFilter(this, 'SyncRunFailedMetricFilter', {
      logGroup: props.workerLogGroup,
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
    this.alarms = alarms;
  }
}
