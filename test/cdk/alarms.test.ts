import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { PageConversations } from '../../cdk/page-conversations.js';
import { CDK_JSON_CONTEXT, type Json, logicalId, PREFIX, synth } from './synth.js';

describe('ProductAlarms with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  it('alarms on errors and throttles of each function, both dead-letter queues, API 5xx and failed sync runs', () => {
    // Prepare
    const fnRef = (fn: PageConversations['apiFunction']) => [
      { Name: 'FunctionName', Value: { Ref: logicalId(fn) } },
    ];
    const functions = [product.apiFunction, product.syncScheduleFunction, product.syncWorkerFunction];

    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];

    // Assess
    const metrics = alarms.map((alarm) => ({
      namespace: alarm.Properties.Namespace,
      metric: alarm.Properties.MetricName,
      dimensions: alarm.Properties.Dimensions,
      statistic: alarm.Properties.Statistic,
      threshold: alarm.Properties.Threshold,
      comparison: alarm.Properties.ComparisonOperator,
      actions: alarm.Properties.AlarmActions,
    }));
    const expected = [
      ...functions.flatMap((fn) =>
        ['Errors', 'Throttles'].map((metric) => ({
          namespace: 'AWS/Lambda',
          metric,
          dimensions: fnRef(fn),
          statistic: 'Sum',
        })),
      ),
      {
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(product.syncDeadLetterQueue), 'QueueName'] },
          },
        ],
        statistic: 'Maximum',
      },
      {
        namespace: 'AWS/SQS',
        metric: 'ApproximateNumberOfMessagesVisible',
        dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(product.scheduleDeadLetterQueue), 'QueueName'] },
          },
        ],
        statistic: 'Maximum',
      },
      {
        namespace: 'AWS/ApiGateway',
        metric: '5xx',
        dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(product.api) } }],
        statistic: 'Sum',
      },
      {
        namespace: 'PageConversations/Test',
        metric: 'SyncRunsFailed',
        dimensions: undefined,
        statistic: 'Sum',
      },
    ].map((metric) => ({
      ...metric,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      actions: undefined,
    }));
    expect(metrics).toHaveLength(expected.length);
    expect(metrics).toEqual(expect.arrayContaining(expected));
  });

  it('counts the worker log lines whose JSON message is "sync run failed"', () => {
    // Act
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')) as Json[];

    // Assess
    expect(filters.map((filter) => filter.Properties)).toEqual([
      {
        FilterPattern: '{ $.message = "sync run failed" }',
        LogGroupName: { Ref: logicalId(product.syncWorkerFunction.logGroup) },
        MetricTransformations: [
          { MetricName: 'SyncRunsFailed', MetricNamespace: 'PageConversations/Test', MetricValue: '1' },
        ],
      },
    ]);
  });
});

describe('ProductAlarms with other props', () => {
  it('sends alarm and OK notifications to the alarm topic when one is given', () => {
    // Prepare
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'WithTopic');
    const topic = new Topic(stack, 'Alarms');

    // Act
    new PageConversations(stack, 'Product', { tokenSecretPrefix: PREFIX, alarmTopic: topic });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as Json[];

    // Assess
    expect(alarms).toHaveLength(10);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(topic) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: logicalId(topic) }]);
    }
  });
});
