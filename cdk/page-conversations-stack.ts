import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PageConversations, type PageConversationsProps } from './page-conversations.js';

export interface PageConversationsStackProps extends StackProps {
  /** Everything the product is configured with; see `PageConversationsProps`. */
  readonly pageConversations: Omit<PageConversationsProps, 'alarmTopic' | 'encryptionKey'>;
  /**
   * An existing customer-managed KMS key for the table, the queues and the log groups (see
   * `PageConversationsProps.encryptionKey`: its key policy must let CloudWatch Logs use it).
   * @default AWS-owned keys
   */
  readonly encryptionKeyArn?: string;
  /**
   * An existing SNS topic for the alarms' notifications.
   * @default no alarm actions
   */
  readonly alarmTopicArn?: string;
}

/** The deployable unit: one `PageConversations` and the outputs an operator needs after deploying. */
export class PageConversationsStack extends Stack {
  readonly pageConversations: PageConversations;

  constructor(scope: Construct, id: string, props: PageConversationsStackProps) {
    super(scope, id, props);
    const alarmTopic =
      props.alarmTopicArn === undefined
        ? undefined
        : Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
    const encryptionKey =
      props.encryptionKeyArn === undefined
        ? undefined
        : Key.fromKeyArn(this, 'EncryptionKey', props.encryptionKeyArn);
    this.pageConversations = new PageConversations(this, 'PageConversations', {
      ...props.pageConversations,
      alarmTopic,
      encryptionKey,
    });
    const product = this.pageConversations;

    new CfnOutput(this, 'ApiUrl', { value: product.apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ApiId', {
      value: product.api.apiId,
      description: 'For execute-api:Invoke policies: arn:aws:execute-api:<region>:<account>:<ApiId>/*/GET/*',
    });
    new CfnOutput(this, 'TableName', { value: product.table.tableName, description: 'The DynamoDB table' });
    new CfnOutput(this, 'SyncQueueName', {
      value: product.syncQueue.queueName,
      description: 'The fan-out queue of the sync (one message per Page)',
    });
    new CfnOutput(this, 'SyncDeadLetterQueueName', {
      value: product.syncDeadLetterQueue.queueName,
      description: 'Sync messages that failed 3 times; redrive them from the SQS console',
    });
  }
}
