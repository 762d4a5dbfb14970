import { readFileSync } from 'node:fs';
import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_KEYS } from '#lib/store/table-schema.js';
import { API_ROUTES, PageConversations, type PageConversationsProps } from '../../cdk/page-conversations.js';
import { PageConversationsStack } from '../../cdk/page-conversations-stack.js';

type Json = ReturnType<Template['toJSON']>;

/** The feature flags `cdk deploy` runs with, so the template under test is the one deployed. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as Json
).context as Record<string, unknown>;

const PREFIX = 'page-conversations/page-';

interface Synthesized {
  readonly stack: Stack;
  readonly product: PageConversations;
  readonly template: Template;
}

/** Synthesizes the stack without running esbuild (`aws:cdk:bundling-stacks: []`): seconds, not tens. */
function synth(props: Partial<PageConversationsProps> = {}): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new PageConversationsStack(app, 'Test', {
    pageConversations: { tokenSecretPrefix: PREFIX, ...props },
  });
  return { stack, product: stack.pageConversations, template: Template.fromStack(stack) };
}

function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  if (!CfnResource.isCfnResource(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

function resource(template: Template, id: string): Json {
  const found = (template.toJSON().Resources as Record<string, Json>)[id];
  if (found === undefined) throw new Error(`no resource ${id} in the template`);
  return found;
}

interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
}

/** Every statement granted to a role, actions sorted, so that equality is about content, not order. */
function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  const statements = Object.values(policies).flatMap(
    (policy) => (policy as Json).Properties.PolicyDocument.Statement as Json[],
  );
  return normalize(statements);
}

function normalize(statements: readonly Json[]): Statement[] {
  return statements
    .map((statement) => ({
      Effect: statement.Effect as string,
      Action: ([] as string[]).concat(statement.Action).sort(),
      Resource: ([] as unknown[]).concat(statement.Resource),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const secretArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:secret:${PREFIX}*`,
    ],
  ],
};
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('PageConversations with default props', () => {
  let stack: Stack;
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ stack, product, template } = synth());
  });

  describe('HTTP API', () => {
    it('has exactly the routes of the contract, each requiring IAM (SigV4)', () => {
      // Prepare
      const expected = API_ROUTES.map((route) => `${route.method} ${route.path}`);

      // Act
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];

      // Assess
      expect(expected).toEqual([
        'GET /health',
        'GET /openapi.json',
        'GET /pages/{pageId}/conversations',
        'GET /pages/{pageId}/sync',
        'POST /pages/{pageId}/sync',
      ]);
      expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([...expected].sort());
      for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
      template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    });

    it('sends every route to the API function with payload format 2.0', () => {
      // Prepare
      const functionId = logicalId(product.apiFunction.fn);

      // Act
      const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];

      // Assess
      const [integrationId, ...others] = Object.keys(integrations);
      expect(others).toEqual([]);
      expect((integrations[integrationId ?? ''] as Json).Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arnOf(functionId),
        PayloadFormatVersion: '2.0',
      });
      for (const route of routes) {
        expect(route.Properties.Target).toEqual({
          'Fn::Join': ['', ['integrations/', { Ref: integrationId }]],
        });
      }
    });

    it('logs every request as minimal JSON to a log group with retention, and throttles the stage', () => {
      // Prepare
      const accessLogsId = logicalId(
        stack.node.findChild('PageConversations').node.findChild('ApiAccessLogs'),
      );

      // Act
      const stage = resource(template, logicalId(product.api.node.findChild('DefaultStage')));

      // Assess
      expect(stage.Properties.StageName).toBe('$default');
      expect(stage.Properties.AutoDeploy).toBe(true);
      expect(stage.Properties.DefaultRouteSettings).toEqual({
        ThrottlingBurstLimit: 100,
        ThrottlingRateLimit: 50,
      });
      expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual(arnOf(accessLogsId));
      const format = JSON.parse(stage.Properties.AccessLogSettings.Format as string) as Record<
        string,
        string
      >;
      expect(format).toEqual({
        requestId: '$context.requestId',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLatency: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      });
      expect(resource(template, accessLogsId).Properties.RetentionInDays).toBe(30);
    });
  });

  describe('functions', () => {
    const cases = [
      ['API', (p: PageConversations) => p.apiFunction, 29, 'page-conversations-api'],
      [
        'sync schedule',
        (p: PageConversations) => p.syncScheduleFunction,
        60,
        'page-conversations-sync-schedule',
      ],
      ['sync worker', (p: PageConversations) => p.syncWorkerFunction, 300, 'page-conversations-sync-worker'],
    ] as const;

    it.each(cases)('the %s function runs the house defaults on nodejs22.x, arm64', (_, pick, timeout) => {
      // Prepare
      const fn = pick(product);

      // Act
      const properties = resource(template, logicalId(fn.fn)).Properties;

      // Assess
      expect(properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
        Role: arnOf(logicalId(fn.role)),
      });
      expect(properties.TracingConfig).toBeUndefined();
      // Bundling was skipped, yet the asset still has a content hash for its S3 key.
      expect(properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(resource(template, logicalId(fn.logGroup)).Properties.RetentionInDays).toBe(30);
    });

    it('gives the API function exactly its environment', () => {
      // Act
      const variables = resource(template, logicalId(product.apiFunction.fn)).Properties.Environment
        .Variables;

      // Assess
      expect(variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'page-conversations-api',
        TABLE_NAME: { Ref: logicalId(product.table) },
        TOKEN_SECRET_PREFIX: PREFIX,
        GRAPH_API_VERSION: 'v24.0',
        SYNC_PLATFORMS: 'messenger,instagram',
        SYNC_FOLDERS: 'inbox,other',
        SYNC_QUEUE_URL: { Ref: logicalId(product.syncQueue) },
      });
    });

    it('gives the sync schedule function exactly its environment', () => {
      // Act
      const variables = resource(template, logicalId(product.syncScheduleFunction.fn)).Properties.Environment
        .Variables;

      // Assess
      expect(variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'page-conversations-sync-schedule',
        TOKEN_SECRET_PREFIX: PREFIX,
        SYNC_QUEUE_URL: { Ref: logicalId(product.syncQueue) },
      });
    });

    it('gives the sync worker function exactly its environment', () => {
      // Act
      const variables = resource(template, logicalId(product.syncWorkerFunction.fn)).Properties.Environment
        .Variables;

      // Assess
      expect(variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'page-conversations-sync-worker',
        TABLE_NAME: { Ref: logicalId(product.table) },
        TOKEN_SECRET_PREFIX: PREFIX,
        GRAPH_API_VERSION: 'v24.0',
        SYNC_PLATFORMS: 'messenger,instagram',
        SYNC_FOLDERS: 'inbox,other',
      });
    });
  });

  describe('IAM', () => {
    it('grants the API function exactly its table, secret, queue and log actions', () => {
      // Prepare
      const tableId = logicalId(product.table);

      // Act
      const statements = statementsOf(template, logicalId(product.apiFunction.role));

      // Assess
      expect(statements).toEqual(
        normalize([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: arnOf(logicalId(product.apiFunction.logGroup)),
          },
          {
            Effect: 'Allow',
            Action: ['GetItem', 'PutItem', 'Query'].map((a) => `dynamodb:${a}`),
            Resource: [arnOf(tableId), { 'Fn::Join': ['', [arnOf(tableId), '/index/gsi1']] }],
          },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(logicalId(product.syncQueue)) },
        ]),
      );
    });

    it('grants the sync schedule function ListSecrets (which takes no resource) and SendMessage only', () => {
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
          { Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(logicalId(product.syncQueue)) },
        ]),
      );
    });

    it('grants the sync worker exactly its table, secret, queue-consume and log actions', () => {
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
            Action: ['GetItem', 'PutItem', 'UpdateItem', 'Query'].map((a) => `dynamodb:${a}`),
            Resource: [arnOf(tableId), { 'Fn::Join': ['', [arnOf(tableId), '/index/gsi1']] }],
          },
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
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

    it('uses no managed policy, no wildcard action, and the "*" resource for ListSecrets only', () => {
      // Act
      const roles = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
        normalize((policy as Json).Properties.PolicyDocument.Statement as Json[]),
      );

      // Assess
      expect(roles).toHaveLength(3);
      for (const role of roles) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role.Properties.Policies).toBeUndefined();
      }
      expect(statements.flatMap((s) => s.Action).filter((action) => action.includes('*'))).toEqual([]);
      expect(statements.filter((s) => s.Resource.includes('*'))).toEqual([
        { Effect: 'Allow', Action: ['secretsmanager:ListSecrets'], Resource: ['*'] },
      ]);
    });
  });

  describe('DynamoDB', () => {
    it('creates one on-demand table with the shared key schema, GSI, TTL and point-in-time recovery', () => {
      // Act
      const tables = template.findResources('AWS::DynamoDB::GlobalTable');

      // Assess
      expect(Object.keys(tables)).toHaveLength(1);
      template.resourceCountIs('AWS::DynamoDB::Table', 0);
      const table = resource(template, logicalId(product.table));
      expect(table.Properties.TableName).toBeUndefined();
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: TABLE_KEYS.byUpdatedTime.indexName,
            KeySchema: [
              { AttributeName: TABLE_KEYS.byUpdatedTime.partitionKey, KeyType: 'HASH' },
              { AttributeName: TABLE_KEYS.byUpdatedTime.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: TABLE_KEYS.timeToLive, Enabled: true },
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      });
      expect(
        (table.Properties.AttributeDefinitions as Json[]).sort((a, b) =>
          a.AttributeName.localeCompare(b.AttributeName),
        ),
      ).toEqual(
        ['gsi1pk', 'gsi1sk', 'pk', 'sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      );
    });

    it('retains the table and the log groups when the stack is deleted', () => {
      // Act
      const table = resource(template, logicalId(product.table));
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[];

      // Assess
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(logGroups).toHaveLength(4);
      for (const logGroup of logGroups) expect(logGroup.DeletionPolicy).toBe('Retain');
    });
  });

  describe('sync', () => {
    it('invokes the sync schedule function every 15 minutes', () => {
      // Prepare
      const functionArn = arnOf(logicalId(product.syncScheduleFunction.fn));

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

    it('feeds the worker one message at a time, reporting item failures, at most 5 at once', () => {
      // Act
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Json[];

      // Assess
      expect(mappings.map((mapping) => mapping.Properties)).toEqual([
        {
          BatchSize: 1,
          EventSourceArn: arnOf(logicalId(product.syncQueue)),
          FunctionName: { Ref: logicalId(product.syncWorkerFunction.fn) },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: 10 },
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
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 300);
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

  describe('alarms', () => {
    it('alarms on errors and throttles of each function, the dead-letter queue, API 5xx and failed sync runs', () => {
      // Prepare
      const fnRef = (fn: PageConversations['apiFunction']) => [
        { Name: 'FunctionName', Value: { Ref: logicalId(fn.fn) } },
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

  it('outputs the API URL and id, the table name and the queue names', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, Json>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiId',
      'ApiUrl',
      'SyncDeadLetterQueueName',
      'SyncQueueName',
      'TableName',
    ]);
    expect(outputs.ApiUrl?.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: logicalId(product.api) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
        ],
      ],
    });
    expect(outputs.ApiId?.Value).toEqual({ Ref: logicalId(product.api) });
    expect(outputs.TableName?.Value).toEqual({ Ref: logicalId(product.table) });
    expect(outputs.SyncQueueName?.Value).toEqual({
      'Fn::GetAtt': [logicalId(product.syncQueue), 'QueueName'],
    });
  });
});

describe('PageConversations with other props', () => {
  it('puts every route behind a JWT authorizer with the given issuer and audience', () => {
    // Prepare
    const issuer = 'https://auth.example.com/';

    // Act
    const { template } = synth({ authorization: { type: 'jwt', issuer, audience: ['api-client', 'cli'] } });

    // Assess
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId, ...others] = Object.keys(authorizers);
    expect(others).toEqual([]);
    expect((authorizers[authorizerId ?? ''] as Json).Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuer, Audience: ['api-client', 'cli'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];
    expect(routes).toHaveLength(API_ROUTES.length);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('deletes the table and the log groups with the stack when removalPolicy is DESTROY', () => {
    // Act
    const { template, product } = synth({ removalPolicy: RemovalPolicy.DESTROY });

    // Assess
    expect(resource(template, logicalId(product.table)).DeletionPolicy).toBe('Delete');
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
  });

  it('passes the optional Graph and sync settings to the functions that use them, and sizes them', () => {
    // Act
    const { template, product } = synth({
      graphApiBaseUrl: 'https://graph.example.com/ignored/path',
      graphApiVersion: 'v23.0',
      syncMaxGraphCalls: 40,
      syncPlatforms: ['instagram'],
      syncFolders: ['inbox', 'spam'],
      syncConcurrency: 20,
      syncSchedule: 30,
      memorySize: 1024,
    });

    // Assess
    const variables = (fn: PageConversations['apiFunction']) =>
      resource(template, logicalId(fn.fn)).Properties.Environment.Variables as Record<string, unknown>;
    const graph = {
      GRAPH_API_BASE_URL: 'https://graph.example.com',
      GRAPH_API_VERSION: 'v23.0',
      SYNC_PLATFORMS: 'instagram',
      SYNC_FOLDERS: 'inbox,spam',
    };
    expect(variables(product.apiFunction)).toMatchObject(graph);
    expect(variables(product.apiFunction).SYNC_MAX_GRAPH_CALLS).toBeUndefined();
    expect(variables(product.syncWorkerFunction)).toMatchObject({ ...graph, SYNC_MAX_GRAPH_CALLS: '40' });
    expect(Object.keys(variables(product.syncScheduleFunction)).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'SYNC_QUEUE_URL',
      'TOKEN_SECRET_PREFIX',
    ]);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    template.allResourcesProperties('AWS::Lambda::Function', { MemorySize: 1024 });
  });

  it('takes an EventBridge schedule as it is', () => {
    // Act
    const { template } = synth({ syncSchedule: Schedule.cron({ minute: '*/10', hour: '6-22' }) });

    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(*/10 6-22 * * ? *)' });
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
    expect(alarms).toHaveLength(9);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(topic) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: logicalId(topic) }]);
    }
  });
});
