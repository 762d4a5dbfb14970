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
  dashboardOf,
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
  webhooksOf,
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
    const secret = resource(template, logicalId(webhooksOf(product).secret));

    // Assess
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: JSON.stringify({ app_secret: APP_SECRET_PLACEHOLDER }),
      GenerateStringKey: 'verify_token',
      ExcludePunctuation: true,
      PasswordLength: 40,
    });
  });

  it('gives the receiver exactly the secret id and the refresh queue', () => {
    expect(variables(webhooksOf(product).receiverFunction)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-receiver',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      WEBHOOK_SECRET_ID: { Ref: logicalId(webhooksOf(product).secret) },
      WEBHOOK_QUEUE_URL: { Ref: logicalId(webhooksOf(product).queue) },
      // Meta's data-deletion callback: its request statuses, and the erasure queue.
      TABLE_NAME: { Ref: logicalId(product.table) },
      PRIVACY_QUEUE_URL: { Ref: logicalId(product.personData.queue) },
    });
  });

  it('lets the receiver read the one webhook secret and send to the refresh queue, nothing else', () => {
    // Act
    const statements = statementsOf(template, logicalId(webhooksOf(product).receiverFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(webhooksOf(product).receiverFunction.logGroup)),
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(webhooksOf(product).secret) },
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: [arnOf(logicalId(product.personData.queue)), arnOf(logicalId(webhooksOf(product).queue))],
        },
        // Meta's data-deletion callback: its requests' statuses, by confirmation code, and nothing else.
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Resource: arnOf(logicalId(product.table)),
          Condition: leadingKeys('DELETION#'),
        },
      ]),
    );
  });

  it('gives the refresh worker the table, the Page secrets, the Graph settings, its queue and the bus', () => {
    expect(variables(webhooksOf(product).refreshFunction)).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-refresh',
      POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      TABLE_NAME: { Ref: logicalId(product.table) },
      TOKEN_SECRET_PREFIX: PREFIX,
      // The Graph origin's default is resolved and set, like every setting the function reads.
      GRAPH_API_BASE_URL: 'https://graph.facebook.com',
      GRAPH_API_VERSION: 'v24.0',
      SYNC_PLATFORMS: 'messenger,instagram',
      SYNC_FOLDERS: 'inbox,other',
      TOMBSTONE_DAYS: '30',
      CHANGES_DAYS: '7',
      WEBHOOK_QUEUE_URL: { Ref: logicalId(webhooksOf(product).queue) },
      EVENT_BUS_NAME: { Ref: logicalId(product.changeEventBus) },
      PERSON_KEY_SECRET_ID: { Ref: logicalId(product.personData.keySecret) },
    });
  });

  it('grants the refresh worker exactly its table, secret, queue, event and log actions', () => {
    // Prepare
    const tableId = logicalId(product.table);
    const queueArn = arnOf(logicalId(webhooksOf(product).queue));

    // Act
    const statements = statementsOf(template, logicalId(webhooksOf(product).refreshFunction.role));

    // Assess
    expect(statements).toEqual(
      normalize([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(logicalId(webhooksOf(product).refreshFunction.logGroup)),
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
        // Feed records written, and read back for a superseded pending write (one statement: minimizePolicies).
        {
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
          Resource: arnOf(tableId),
          Condition: leadingKeys('CHANGES#'),
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
        // Before each index write: the people's erasure records and refs, and new refs.
        {
          Effect: 'Allow',
          Action: 'dynamodb:BatchGetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('ERASED#', 'PERSON#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('PERSON#'),
        },
        // The Page token secrets, and the person-hash key (one statement: minimizePolicies).
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [secretArn, { Ref: logicalId(product.personData.keySecret) }],
        },
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
    const queueId = logicalId(webhooksOf(product).queue);
    const dlqId = logicalId(webhooksOf(product).deadLetterQueue);

    // Act
    const queue = resource(template, queueId).Properties;
    const mapping = template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalId(webhooksOf(product).refreshFunction) } },
    });

    // Assess
    expect(Object.values(mapping).map((m) => (m as Json).Properties)).toEqual([
      {
        BatchSize: 5,
        EventSourceArn: arnOf(queueId),
        FunctionName: { Ref: logicalId(webhooksOf(product).refreshFunction) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        // At 1,000 expected Pages both the sync and the refreshes' peak need the least, 2.
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
    expect(queue.VisibilityTimeout).toBeGreaterThan(
      resource(template, logicalId(webhooksOf(product).refreshFunction)).Properties.Timeout,
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
    // The one secret the stack makes then: the person-hash key (cdk/person-data.ts).
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    const receiver = statementsOf(template, logicalId(webhooksOf(product).receiverFunction.role));
    expect(receiver).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme/meta-webhooks-??????'],
      Condition: undefined,
    });
    const refresh = statementsOf(template, logicalId(webhooksOf(product).refreshFunction.role));
    expect(refresh).toContainEqual({
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: ['arn:aws:events:eu-west-1:210987654321:event-bus/acme'],
      Condition: undefined,
    });
    expect(
      resource(template, logicalId(webhooksOf(product).refreshFunction)).Properties.Environment.Variables
        .EVENT_BUS_NAME,
    ).toBe('arn:aws:events:eu-west-1:210987654321:event-bus/acme');
  });
});

describe('MetaWebhooks left out (webhooks: false)', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth({ webhooks: false }));
  });
  const ofType = (type: string) => Object.values(template.findResources(type)) as Json[];

  it('has no public route: every route sits behind the API authorization', () => {
    // Act
    const routes = ofType('AWS::ApiGatewayV2::Route').map((route) => route.Properties);

    // Assess
    expect(routes.map((route) => route.RouteKey)).not.toContain('POST /webhooks/meta');
    expect(routes.filter((route) => route.RouteKey.includes('/webhooks/'))).toEqual([]);
    for (const route of routes) expect(route.AuthorizationType).toBe('AWS_IAM');
    expect(JSON.stringify(resource(template, logicalId(product.api.stage)).Properties)).not.toContain(
      'webhooks',
    );
  });

  it('creates no receiver, refresh worker, refresh queues, webhook secret or throttle count', () => {
    // Act
    const services = ofType('AWS::Lambda::Function').map(
      (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
    );

    // Assess
    expect(services.sort()).toEqual([
      'page-conversations-api',
      'page-conversations-erasure',
      'page-conversations-sync-schedule',
      'page-conversations-sync-worker',
    ]);
    // The sync's queue and DLQ, the schedule's DLQ, the erasure queue and its DLQ; the person-hash key.
    expect(ofType('AWS::SQS::Queue')).toHaveLength(5);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    expect([product.webhooks, product.webhookSecret, product.webhookRefreshQueue]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('outputs no callback URL or webhook secret, and alarms and draws nothing of webhooks', () => {
    // Act
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    const alarms = JSON.stringify(ofType('AWS::CloudWatch::Alarm'));
    const dashboard = JSON.stringify(resource(template, logicalId(dashboardOf(product))));

    // Assess
    expect(outputs).not.toContain('WebhookCallbackUrl');
    expect(outputs).not.toContain('WebhookSecretArn');
    expect(outputs).not.toContain('RefreshQueueUrl');
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(4);
    for (const text of [alarms, dashboard]) {
      expect(text).not.toMatch(/webhook-(receiver|refresh)|WebhookRefused|WebhookRequestsThrottled/);
      expect(text).not.toContain('RefreshQueue');
    }
  });

  it('refuses a webhook secret, which nothing would read', () => {
    // Prepare
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Contradiction');
    const webhookSecret = Secret.fromSecretNameV2(stack, 'Secret', 'acme/meta-webhooks');

    // Act
    const act = () =>
      new PageConversations(stack, 'Product', { tokenSecretPrefix: PREFIX, webhooks: false, webhookSecret });

    // Assess
    expect(act).toThrow('webhookSecret is the secret of Meta Webhooks; with webhooks: false, leave it out.');
  });
});
