import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageConversations } from '../../cdk/page-conversations.js';
import { WorkQueue } from '../../cdk/work-queue.js';
import { logicalId, synth, webhooksOf } from './synth.js';

/** A stack with one work queue and one consumer, for the construct's own rules. */
function workQueueStack(consumerTimeout: Duration) {
  const stack = new Stack(new App(), 'WorkQueueTest');
  const work = new WorkQueue(stack, 'Work', {
    encryptionKey: undefined,
    consumerTimeout: Duration.seconds(60),
    maxReceiveCount: 3,
    ids: { queue: 'Queue', deadLetterQueue: 'DeadLetterQueue' },
  });
  const consumer = new LambdaFunction(stack, 'Consumer', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: consumerTimeout,
  });
  return { stack, work, consumer };
}

describe('WorkQueue', () => {
  it('feeds its consumer with partial batch failures from a queue six times its timeout, with a dead-letter queue', () => {
    // Prepare
    const { stack, work, consumer } = workQueueStack(Duration.seconds(60));
    // Act
    work.consume(consumer, { batchSize: 10, maxConcurrency: 4 });
    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it.each([0, 11, 2.5])('refuses a batch size of %s at synth time', (batchSize) => {
    // Prepare
    const { work, consumer } = workQueueStack(Duration.seconds(60));
    // Act, Assess
    expect(() => work.consume(consumer, { batchSize })).toThrow(/batchSize must be 1 to 10/);
  });

  it('refuses a consumer that runs longer than the visibility timeout was sized for', () => {
    // Prepare
    const { work, consumer } = workQueueStack(Duration.seconds(61));
    // Act, Assess
    expect(() => work.consume(consumer, { batchSize: 5 })).toThrow(/times out after 61 s.*sized for 60 s/);
  });
});

describe('the work queues of the product keep the logical ids of deployed stacks', () => {
  let product: PageConversations;
  beforeAll(() => {
    ({ product } = synth({ webhooks: true }));
  });

  it('so that an update never replaces a queue that holds messages', () => {
    // Act
    const ids = [
      product.syncQueue,
      product.syncDeadLetterQueue,
      product.scheduleDeadLetterQueue,
      webhooksOf(product).queue,
      webhooksOf(product).deadLetterQueue,
    ].map((queue) => logicalId(queue));
    // Assess: the ids these queues had before they were built by `WorkQueue`.
    expect(ids).toEqual([
      'PageConversationsSyncFanOutQueue6BB94B51',
      'PageConversationsSyncFanOutDeadLetterQueue2CDE9B79',
      'PageConversationsSyncFanOutScheduleDeadLetterQueue26384E6F',
      'PageConversationsWebhooksRefreshQueue5495B360',
      'PageConversationsWebhooksRefreshDeadLetterQueue35EFAB2B',
    ]);
  });
});
