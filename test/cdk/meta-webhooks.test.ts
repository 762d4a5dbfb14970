import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_SECRET_PLACEHOLDER } from '../../cdk/meta-webhooks.js';
import { PageConversations } from '../../cdk/page-conversations.js';
import {
  arnOf,
  CDK_JSON_CONTEXT,
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

describe('MetaWebhooks with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  const variables = (fn: PageConversations['apiFunction']) =>
    resource(template, logicalId(fn)).Properties.Environment.Variables;

  it('creates the webhook secret with a generated verify token and a placeholder app secret', () => {
    // Act
    const secret = resource(template, logicalId(product.webhookSecret));

    // Assess
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: JSON.stringify({ app_secret: APP_SECRET_PLACEHOLDER }),
      GenerateStringKey: 'verify_token',
      ExcludePunctuation: true,
      PasswordLength: 40,
    });
  });

  it('gives the receiver exactly the secret id and the refresh queue', () => {
    expect(variables(product.webhookReceiverFunction)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-receiver',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      WEBHOOK_SECRET_ID: { Ref: logicalId(product.webhookSecret) },
      WEBHOOK_QUEUE_URL: { Ref: logicalId(product.webhookRefreshQueue) },
    });
  });

  it('lets the receiver read the one webhook secret and send to the refresh queue, nothing else', () => {
    // Act
    const statements = statementsOf(template, logicalId(product.webhookReceiverFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(product.webhookReceiverFunction.logGroup)),
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(product.webhookSecret) },
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: arnOf(logicalId(product.webhookRefreshQueue)),
        },
      ]),
    );
  });

  it('gives the refresh worker the table, the Page secrets, the Graph settings, its queue and the bus', () => {
    expect(variables(product.webhookRefreshFunction)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-refresh',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      TABLE_NAME: { Ref: logicalId(product.table) },
      TOKEN_SECRET_PREFIX: PREFIX,
      GRAPH_API_VERSION: 'v24.0',
      SYNC_PLATFORMS: 'messenger,instagram',
      SYNC_FOLDERS: 'inbox,other',
      WEBHOOK_QUEUE_URL: { Ref: logicalId(product.webhookRefreshQueue) },
      EVENT_BUS_NAME: { Ref: logicalId(product.changeEventBus) },
    });
  });

  it('grants the refresh worker exactly its table, secret, queue, event and log actions', () => {
    // Prepare
    const tableId = logicalId(product.table);
    const queueArn = arnOf(logicalId(product.webhookRefreshQueue));

    // Act
    const statements = statementsOf(template, logicalId(product.webhookRefreshFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(product.webhookRefreshFunction.logGroup)),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('BACKOFF#', 'PAGE#', 'PACE#', 'PAGES', 'IGACCOUNT#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('BACKOFF#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:UpdateItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('PAGE#', 'PACE#', 'CONV#', 'PAGES'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: indexArnOf(tableId, 'gsi2'),
          Condition: leadingKeys('EVENTS#'),
        },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
        // Consuming its queue, and sending a refresh back to it to wait (one statement: minimizePolicies).
        {
          Effect: 'Allow',
          Action: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:SendMessage',
          ],
          Resource: queueArn,
        },
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: arnOf(logicalId(product.changeEventBus)) },
      ]),
    );
  });

  it('feeds the refresh worker in small batches with partial failures, from a TLS-only, encrypted queue with a DLQ', () => {
    // Prepare
    const queueId = logicalId(product.webhookRefreshQueue);
    const dlqId = logicalId(product.webhookRefreshDeadLetterQueue);

    // Act
    const queue = resource(template, queueId).Properties;
    const mapping = template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalId(product.webhookRefreshFunction) } },
    });

    // Assess
    expect(Object.values(mapping).map((m) => (m as Json).Properties)).toEqual([
      {
        BatchSize: 5,
        EventSourceArn: arnOf(queueId),
        FunctionName: { Ref: logicalId(product.webhookRefreshFunction) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
      },
    ]);
    expect(queue.VisibilityTimeout).toBeGreaterThan(
      resource(template, logicalId(product.webhookRefreshFunction)).Properties.Timeout,
    );
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 3 });
    for (const id of [queueId, dlqId]) {
      expect(resource(template, id).Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ],
        },
      });
    }
  });

  it('creates the change-event bus', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
  });
});

describe('MetaWebhooks with the customer’s secret and bus', () => {
  it('reads the given secret (by name: any 6-character suffix) and puts events on the given bus, creating neither', () => {
    // Prepare
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Customer', { env: { account: '123456789012', region: 'eu-west-1' } });
    const webhookSecret = Secret.fromSecretNameV2(stack, 'Secret', 'acme/meta-webhooks');
    const eventBus = EventBus.fromEventBusArn(
      stack,
      'Bus',
      'arn:aws:events:eu-west-1:210987654321:event-bus/acme',
    );

    // Act
    const product = new PageConversations(stack, 'Product', {
      tokenSecretPrefix: PREFIX,
      webhookSecret,
      eventBus,
    });
    const template = Template.fromStack(stack);

    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    const receiver = statementsOf(template, logicalId(product.webhookReceiverFunction.role));
    expect(receiver).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/meta-webhooks-??????'],
      Condition: undefined,
    });
    const refresh = statementsOf(template, logicalId(product.webhookRefreshFunction.role));
    expect(refresh).toContainEqual({
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: ['arn:aws:events:eu-west-1:210987654321:event-bus/acme'],
      Condition: undefined,
    });
    expect(
      resource(template, logicalId(product.webhookRefreshFunction)).Properties.Environment.Variables
        .EVENT_BUS_NAME,
    ).toBe('arn:aws:events:eu-west-1:210987654321:event-bus/acme');
  });
});
