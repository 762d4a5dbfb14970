import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PageConversations, type PageConversationsProps } from './page-conversations.js';

export interface PageConversationsStackProps extends StackProps {
  /** Everything the product is configured with; see `PageConversationsProps`. */
  readonly pageConversations: Omit<
    PageConversationsProps,
    'alarmTopic' | 'encryptionKey' | 'eventBus' | 'webhookSecret'
  >;
  /**
   * An existing customer-managed KMS key for the table, the queues, the change-event bus, the webhook
   * secret and the log groups (see `PageConversationsProps.encryptionKey`: its key policy must let
   * CloudWatch Logs and EventBridge use it). Its ARN is the output `EncryptionKeyArn`.
   * @default AWS-owned keys
   */
  readonly encryptionKeyArn?: string;
  /**
   * An existing SNS topic for the alarms' notifications.
   * @default no alarm actions
   */
  readonly alarmTopicArn?: string;
  /**
   * An existing EventBridge bus for the change events, by name or ARN (another account's by ARN).
   * @default a bus of the stack's own
   */
  readonly eventBusName?: string;
  /**
   * An existing secret for Meta Webhooks (`{"app_secret", "verify_token"}`), by name.
   * @default a secret of the stack's own, with a generated verify token
   */
  readonly webhookSecretName?: string;
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
    const eventBus =
      props.eventBusName === undefined
        ? undefined
        : props.eventBusName.startsWith('arn:')
          ? EventBus.fromEventBusArn(this, 'EventBus', props.eventBusName)
          : EventBus.fromEventBusName(this, 'EventBus', props.eventBusName);
    const webhookSecret =
      props.webhookSecretName === undefined
        ? undefined
        : Secret.fromSecretNameV2(this, 'WebhookSecret', props.webhookSecretName);
    this.pageConversations = new PageConversations(this, 'PageConversations', {
      ...props.pageConversations,
      alarmTopic,
      encryptionKey,
      eventBus,
      webhookSecret,
    });
    const product = this.pageConversations;

    new CfnOutput(this, 'ApiUrl', { value: product.apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'ApiId', {
      value: product.api.apiId,
      description:
        'For execute-api:Invoke policies: arn:aws:execute-api:<region>:<account>:<ApiId>/*/GET/* (every Page), or .../*/GET/pages/<pageId> and .../*/GET/pages/<pageId>/* (one Page)',
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
    if (product.webhooks !== undefined) {
      new CfnOutput(this, 'WebhookCallbackUrl', {
        value: product.webhooks.callbackUrl,
        description: 'Meta app dashboard > Webhooks: the Callback URL',
      });
      new CfnOutput(this, 'WebhookSecretName', {
        value: product.webhooks.secret.secretName,
        description:
          'Its verify_token is the Verify Token for Meta; set its app_secret to your Meta app secret (aws secretsmanager get-secret-value / put-secret-value)',
      });
    }
    if (product.encryptionKey !== undefined) {
      new CfnOutput(this, 'EncryptionKeyArn', {
        value: product.encryptionKey.keyArn,
        description:
          'The customer-managed key of the data: export TOKEN_SECRET_KMS_KEY_ID=<this> before npm run pages, so that Page token secrets are encrypted with it',
      });
    }
    new CfnOutput(this, 'EventBusName', {
      value: product.changeEventBus.eventBusName,
      description: 'Where Conversation Changed events go: add your rules here',
    });
    new CfnOutput(this, 'DashboardName', {
      value: product.dashboard.dashboardName,
      description: 'The CloudWatch dashboard of this deployment',
    });
  }
}
