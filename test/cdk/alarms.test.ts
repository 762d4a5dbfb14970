import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_REFUSAL_REASONS } from '#lib/telemetry/metric-names.js';
import { PageConversations } from '../../cdk/page-conversations.js';
import { CDK_JSON_CONTEXT, type Json, logicalId, PREFIX, resource, synth, webhooksOf } from './synth.js';

/** An alarm's metrics as `namespace metric {dimensions} statistic`, however it reads them. */
function metricsOf(alarm: Json): string[] {
  const describe = (metric: Json, statistic: string) =>
    `${metric.Namespace} ${metric.MetricName} ${JSON.stringify(metric.Dimensions ?? [])} ${statistic}`;
  if (alarm.Properties.Metrics === undefined) {
    return [describe(alarm.Properties, alarm.Properties.Statistic)];
  }
  return (alarm.Properties.Metrics as Json[])
    .filter((query) => query.MetricStat !== undefined)
    .map((query) => describe(query.MetricStat.Metric, query.MetricStat.Stat));
}

/** The alarm on Pages not subscribed to webhooks: the one reading a level. */
const isNotSubscribed = (alarm: Json): boolean =>
  metricsOf(alarm).some((m) => m.includes('PagesNotSubscribed'));

/** The refresh backlog alarm: the only one reading a queue's age and no dead-letter queue. */
const isRefreshBacklog = (alarm: Json): boolean =>
  metricsOf(alarm).some((m) => m.includes('AgeOfOldestMessage')) &&
  !metricsOf(alarm).some((m) => m.includes('NumberOfMessagesVisible') && m.includes('DeadLetter'));

describe('ProductAlarms with default props', () => {
  let product: PageConversations;
  let template: Template;
  let alarms: Json[];
  beforeAll(() => {
    ({ product, template } = synth());
    alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
  });
  const queueName = (queue: PageConversations['syncQueue']) =>
    JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue), 'QueueName'] } }]);

  it('keeps to seven alarms reading eighteen metrics, each firing on the first occurrence in its period', () => {
    // Assess
    expect(alarms).toHaveLength(7);
    expect(alarms.flatMap(metricsOf)).toHaveLength(18);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ EvaluationPeriods: 1 });
      // The one level keeps its state between rounds; every count takes a quiet period as fine.
      expect(alarm.Properties.TreatMissingData).toBe(isNotSubscribed(alarm) ? 'ignore' : 'notBreaching');
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it("fires when the hour's largest count of Pages not subscribed, reported by the schedule each round, is above 0", () => {
    // Act
    const matching = alarms.filter(isNotSubscribed);

    // Assess
    expect(matching).toHaveLength(1);
    expect(matching[0]?.Properties).toMatchObject({
      Namespace: 'PageConversations',
      MetricName: 'PagesNotSubscribed',
      Dimensions: [{ Name: 'service', Value: 'page-conversations-sync-schedule' }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each([
    [
      'API Gateway 5xx (API and webhook receiver failures)',
      (p: PageConversations) => [
        `AWS/ApiGateway 5xx ${JSON.stringify([{ Name: 'ApiId', Value: { Ref: logicalId(p.api) } }])} Sum`,
      ],
    ],
    [
      "messages in any of the four dead-letter queues, or a sync message older than the round's interval",
      (p: PageConversations) => [
        ...[
          p.syncDeadLetterQueue,
          p.scheduleDeadLetterQueue,
          webhooksOf(p).deadLetterQueue,
          p.personData.deadLetterQueue,
        ].map((queue) => `AWS/SQS ApproximateNumberOfMessagesVisible ${queueName(queue)} Maximum`),
        `AWS/SQS ApproximateAgeOfOldestMessage ${queueName(p.syncQueue)} Maximum`,
      ],
    ],
    [
      'failed sync runs, from the worker',
      () => [
        `PageConversations SyncRuns ${JSON.stringify([
          { Name: 'Outcome', Value: 'failed' },
          { Name: 'service', Value: 'page-conversations-sync-worker' },
        ])} Sum`,
      ],
    ],
    [
      "the refresh queue's depth and the age of its oldest message",
      (p: PageConversations) =>
        ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'].map(
          (metric) => `AWS/SQS ${metric} ${queueName(webhooksOf(p).queue)} Maximum`,
        ),
    ],
    [
      "refused webhook requests: each of the receiver's reasons, and the routes' throttles",
      (p: PageConversations) => [
        ...WEBHOOK_REFUSAL_REASONS.map(
          (reason) =>
            `PageConversations WebhookRefused ${JSON.stringify([
              { Name: 'Reason', Value: reason },
              { Name: 'service', Value: 'page-conversations-webhook-receiver' },
            ])} Sum`,
        ),
        `PageConversations WebhookRequestsThrottled ${JSON.stringify([{ Name: 'ApiId', Value: { Ref: logicalId(p.api) } }])} Sum`,
      ],
    ],
    [
      'tokens marked invalid by any function that calls Graph',
      () =>
        [
          'page-conversations-api',
          'page-conversations-sync-worker',
          'page-conversations-webhook-refresh',
        ].map(
          (service) =>
            `PageConversations TokensMarkedInvalid ${JSON.stringify([{ Name: 'service', Value: service }])} Sum`,
        ),
    ],
  ])('has one alarm on %s', (_, expected) => {
    // Act
    const matching = alarms.filter(
      (alarm) => JSON.stringify(metricsOf(alarm).sort()) === JSON.stringify(expected(product).sort()),
    );

    // Assess
    expect(matching).toHaveLength(1);
  });

  it('adds the dead-letter queues with missing data as zero, so one quiet queue does not hide another', () => {
    // Act
    const deadLetters = alarms.find(
      (alarm) => metricsOf(alarm).length === 5 && metricsOf(alarm)[0]?.includes('SQS'),
    );

    // Assess
    const queries = (deadLetters?.Properties.Metrics ?? []) as Json[];
    const sum = queries.find((query) => query.Expression?.startsWith('FILL(m0'));
    expect(sum?.Expression).toBe('FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0)');
    // A round that did not finish within the default 15-minute interval counts as one more.
    const top = queries.find((query) => query.ReturnData !== false);
    expect(top?.Expression).toBe(`${sum?.Id} + IF(FILL(age, 0) > 900, 1, 0)`);
  });

  it('fires on a refresh backlog at 1,000 messages or a message 30 minutes old, whichever comes first', () => {
    // Act
    const backlog = alarms.find(isRefreshBacklog);

    // Assess
    const queries = (backlog?.Properties.Metrics ?? []) as Json[];
    expect(queries.find((query) => query.Expression)?.Expression).toBe(
      'MAX([FILL(depth, 0) / 1000, FILL(age, 0) / 1800])',
    );
    expect(backlog?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fires on more than 10 refused webhook requests in 5 minutes, however they were refused', () => {
    // Act
    const refused = alarms.find((alarm) => metricsOf(alarm).some((m) => m.includes('WebhookRefused')));

    // Assess
    const queries = (refused?.Properties.Metrics ?? []) as Json[];
    expect(queries.find((query) => query.Expression)?.Expression).toBe(
      [0, 1, 2, 3, 4].map((i) => `FILL(m${i}, 0)`).join(' + '),
    );
    expect(refused?.Properties).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('fires on the first failure of the other four', () => {
    // Act
    const others = alarms.filter(
      (alarm) =>
        !isRefreshBacklog(alarm) &&
        !isNotSubscribed(alarm) &&
        !metricsOf(alarm).some((m) => m.includes('WebhookRefused')),
    );

    // Assess
    expect(others).toHaveLength(4);
    for (const alarm of others) {
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
  });

  it("counts from the access log only the webhook routes' throttles, which reach no function", () => {
    // Act
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')) as Json[];
    const stage = resource(template, logicalId(product.api.stage)).Properties;

    // Assess: the functions publish every other count (EMF).
    expect(filters.map((filter) => filter.Properties)).toEqual([
      {
        LogGroupName: { Ref: logicalId(product.api.accessLogs) },
        FilterPattern:
          '{ (($.routeKey = "GET /webhooks/meta") || ($.routeKey = "POST /webhooks/meta") || ($.routeKey = "POST /meta/data-deletion") || ($.routeKey = "GET /meta/data-deletion/{code}")) && ($.status = "429") }',
        MetricTransformations: [
          {
            MetricNamespace: 'PageConversations',
            MetricName: 'WebhookRequestsThrottled',
            MetricValue: '1',
            Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
            Unit: 'Count',
          },
        ],
      },
    ]);
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      apiId: '$context.apiId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });
});

describe('ProductAlarms with other props', () => {
  it('has no alarm on Pages not subscribed without webhooks, whose worker checks no subscription', () => {
    // Act
    const { product, template } = synth({ webhooks: false });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    const worker = resource(template, logicalId(product.syncWorkerFunction)).Properties;

    // Assess
    expect(alarms.filter(isNotSubscribed)).toHaveLength(0);
    expect(worker.Environment.Variables.WEBHOOK_SUBSCRIPTION_CHECK).toBe('false');
    expect(worker.Environment.Variables.WEBHOOK_AUTO_SUBSCRIBE).toBeUndefined();
  });

  it('passes webhookAutoSubscribe to the sync worker, which checks subscriptions with webhooks on', () => {
    // Act
    const on = synth({ webhookAutoSubscribe: true });
    const off = synth();
    const env = ({ product, template }: ReturnType<typeof synth>) =>
      resource(template, logicalId(product.syncWorkerFunction)).Properties.Environment.Variables;

    // Assess
    expect(env(on)).toMatchObject({ WEBHOOK_SUBSCRIPTION_CHECK: 'true', WEBHOOK_AUTO_SUBSCRIBE: 'true' });
    expect(env(off)).toMatchObject({ WEBHOOK_SUBSCRIPTION_CHECK: 'true', WEBHOOK_AUTO_SUBSCRIBE: 'false' });
  });

  it('sends alarm and OK notifications to the alarm topic when one is given', () => {
    // Prepare
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'WithTopic');
    const topic = new Topic(stack, 'Alarms');

    // Act
    new PageConversations(stack, 'Product', { tokenSecretPrefix: PREFIX, alarmTopic: topic });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as Json[];

    // Assess
    expect(alarms).toHaveLength(7);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(topic) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: logicalId(topic) }]);
    }
  });
});
