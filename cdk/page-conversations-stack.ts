import { Stack, type StackProps } from 'aws-cdk-lib';
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

/** The deployable unit: one `PageConversations`, its outputs under their bare names (`ApiUrl`, ...). */
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
    // The stack holds the product alone: its outputs keep the bare names the README and operators'
    // scripts use (`ApiUrl`, `TableName`, ...) instead of the construct's `PageConversationsApiUrl`.
    for (const [name, output] of Object.entries(this.pageConversations.outputs)) {
      output?.overrideLogicalId(name);
    }
  }
}
