import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageConversations } from '../../cdk/page-conversations.js';
import {
  arnOf,
  indexArnOf,
  type Json,
  leadingKeys,
  logicalId,
  normalize,
  PREFIX,
  resource,
  secretArn,
  statementsOf,
  synth,
} from './synth.js';

/** The schedule function's SYNC_SPREAD_SECONDS as synthesized for this schedule. */
function spreadOf(syncSchedule: Schedule): string {
  const { product, template } = synth({ syncSchedule });
  return resource(template, logicalId(product.syncScheduleFunction)).Properties.Environment.Variables
    .SYNC_SPREAD_SECONDS;
}

describe('SyncFanOut with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  it('gives the sync schedule function exactly its environment', () => {
    // Act
    const variables = resource(template, logicalId(product.syncScheduleFunction)).Properties.Environment
      .Variables;

    // Assess
    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-sync-schedule',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      TABLE_NAME: { Ref: logicalId(product.table) },
      SYNC_QUEUE_URL: { Ref: logicalId(product.syncQueue) },
      // The default 15-minute schedule spreads a round over its whole interval.
      SYNC_SPREAD_SECONDS: '900',
    });
  });

  it.each([
    [Schedule.rate(Duration.minutes(5)), '300'],
    [Schedule.rate(Duration.hours(6)), '900'],
    [Schedule.cron({ minute: '0', hour: '*/6' }), '0'],
  ])('spreads a round of %s over SQS delays of at most %s s', (schedule, spread) => {
    expect(spreadOf(schedule)).toBe(spread);
  });

  it('gives the sync worker function exactly its environment', () => {
    // Act
    const variables = resource(template, logicalId(product.syncWorkerFunction)).Properties.Environment
      .Variables;

    // Assess
    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-sync-worker',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      TABLE_NAME: { Ref: logicalId(product.table) },
      EVENT_BUS_NAME: { Ref: logicalId(product.changeEventBus) },
      TOKEN_SECRET_PREFIX: PREFIX,
      // The Graph origin's default is resolved and set, like every setting the function reads.
      GRAPH_API_BASE_URL: 'https://graph.facebook.com',
      GRAPH_API_VERSION: 'v24.0',
      SYNC_PLATFORMS: 'messenger,instagram',
      SYNC_FOLDERS: 'inbox,other',
      TOMBSTONE_DAYS: '30',
      CHANGES_DAYS: '7',
      RECONCILE_EVERY_HOURS: '24',
      PERSON_KEY_SECRET_ID: { Ref: logicalId(product.personData.keySecret) },
      // The daily webhook subscription check, with webhooks (the default).
      WEBHOOK_SUBSCRIPTION_CHECK: 'true',
      WEBHOOK_AUTO_SUBSCRIBE: 'false',
    });
  });

  it('grants the sync schedule function a Query of the registry, SendMessage and its failure destination only: no secret', () => {
    // Act
    const statements = statementsOf(template, logicalId(product.syncScheduleFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(product.syncScheduleFunction.logGroup)),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: arnOf(logicalId(product.table)),
          Condition: leadingKeys('PAGES'),
        },
        // The sync queue, and Lambda's on-failure destination, which needs SendMessage alone.
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: [arnOf(logicalId(product.syncQueue)), arnOf(logicalId(product.scheduleDeadLetterQueue))],
        },
      ]),
    );
  });

  it('grants the sync worker exactly its table, secret, queue-consume, event and log actions', () => {
    // Prepare
    const tableId = logicalId(product.table);
    const queueArn = arnOf(logicalId(product.syncQueue));

    // Act
    const statements = statementsOf(template, logicalId(product.syncWorkerFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(product.syncWorkerFunction.logGroup)),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('BACKOFF#', 'PAGE#', 'PAGES'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('BACKOFF#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:BatchWriteItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('CHANGES#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:UpdateItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('PAGE#', 'CONV#', 'PAGES', 'IGACCOUNT#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:BatchGetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('CONV#', 'CHANGES#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:DeleteItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('IGACCOUNT#'),
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:Query'],
          Resource: arnOf(tableId),
          Condition: leadingKeys('RECON#'),
        },
        // Before each index write: the people's erasure records and refs; new refs, and the sweep's deletes.
        {
          Effect: 'Allow',
          Action: 'dynamodb:BatchGetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('ERASED#', 'PERSON#'),
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
          Resource: arnOf(tableId),
          Condition: leadingKeys('PERSON#'),
        },
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: arnOf(logicalId(product.changeEventBus)) },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: indexArnOf(tableId, 'gsi1'),
          Condition: leadingKeys('IDX#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: indexArnOf(tableId, 'gsi2'),
          Condition: leadingKeys('EVENTS#'),
        },
        // The Page token secrets, and the person-hash key (one statement: minimizePolicies).
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [secretArn, { Ref: logicalId(product.personData.keySecret) }],
        },
        {
          Effect: 'Allow',
          Action: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          Resource: queueArn,
        },
      ]),
    );
  });

  it('invokes the sync schedule function every 15 minutes', () => {
    // Prepare
    const functionArn = arnOf(logicalId(product.syncScheduleFunction));

    // Act
    const rule = resource(template, logicalId(product.syncRule));

    // Assess
    expect(rule.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(rule.Properties.Targets).toEqual([{ Arn: functionArn, Id: 'Target0' }]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: functionArn,
      Principal: 'events.amazonaws.com',
      SourceArn: arnOf(logicalId(product.syncRule)),
    });
  });

  it('feeds the worker 10 messages a batch, reporting item failures, at most 2 batches at once', () => {
    // Act
    const mappings = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: logicalId(product.syncWorkerFunction) } },
      }),
    ) as Json[];

    // Assess
    expect(mappings.map((mapping) => mapping.Properties)).toEqual([
      {
        // Ten Pages an invocation, run at once (SYNC_BATCH_OPTIONS), each failing alone.
        BatchSize: 10,
        EventSourceArn: arnOf(logicalId(product.syncQueue)),
        FunctionName: { Ref: logicalId(product.syncWorkerFunction) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // Computed for 1,000 expected Pages every 15 minutes: ⌈1,000 × 1.436 s ÷ (900 s × 0.5 × 10)⌉, at least 2.
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
  });

  it('redrives a message to the dead-letter queue after 3 receives; both queues are encrypted and TLS-only', () => {
    // Prepare
    const queueId = logicalId(product.syncQueue);
    const dlqId = logicalId(product.syncDeadLetterQueue);

    // Act
    const queue = resource(template, queueId).Properties;
    const dlq = resource(template, dlqId).Properties;

    // Assess
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 3 });
    expect(queue.VisibilityTimeout).toBe(6 * 300);
    // 4 rounds of 15 minutes are less than a failing message needs to reach the dead-letter queue: its
    // spread delay (900 s) and 3 visibility timeouts.
    expect(queue.MessageRetentionPeriod).toBe(900 + 3 * 6 * 300);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(dlq.SqsManagedSseEnabled).toBe(true);
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    }
  });
});

describe('SyncFanOut with other props', () => {
  it('takes an EventBridge schedule as it is', () => {
    // Act
    const { template, product } = synth({ syncSchedule: Schedule.cron({ minute: '*/10', hour: '6-22' }) });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(*/10 6-22 * * ? *)' });
    // A cron interval may vary: the queue keeps SQS's 4 days, and the workers count it as 15 minutes.
    expect(
      resource(template, logicalId(product.syncQueue)).Properties.MessageRetentionPeriod,
    ).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(product.syncWorkerFunction) },
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});
