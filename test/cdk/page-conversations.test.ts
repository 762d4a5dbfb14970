import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageConversations } from '../../cdk/page-conversations.js';
import { arnOf, type Json, logicalId, normalize, resource, synth, webhooksOf } from './synth.js';

describe('PageConversations with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  const cases = [
    ['API', (p: PageConversations) => p.apiFunction, 29, 'page-conversations-api', 256],
    [
      'sync schedule',
      (p: PageConversations) => p.syncScheduleFunction,
      60,
      'page-conversations-sync-schedule',
      // Its round's CPU (13 to 15 s for 100,000 Pages) would pass its timeout at 256 MB.
      1024,
    ],
    [
      'sync worker',
      (p: PageConversations) => p.syncWorkerFunction,
      300,
      'page-conversations-sync-worker',
      256,
    ],
    [
      'webhook receiver',
      (p: PageConversations) => webhooksOf(p).receiverFunction,
      10,
      'page-conversations-webhook-receiver',
      256,
    ],
    [
      'webhook refresh',
      (p: PageConversations) => webhooksOf(p).refreshFunction,
      60,
      'page-conversations-webhook-refresh',
      256,
    ],
  ] as const;

  it.each(cases)(
    'the %s function runs the house defaults on nodejs22.x, arm64',
    (_, pick, timeout, service, memorySize) => {
      // Prepare
      const fn = pick(product);

      // Act
      const properties = resource(template, logicalId(fn)).Properties;

      // Assess
      expect(properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: memorySize,
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
        Role: arnOf(logicalId(fn.role)),
      });
      expect(properties.TracingConfig).toBeUndefined();
      expect(properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: 'PageConversations',
      });
      // Bundling was skipped, yet the asset still has a content hash for its S3 key.
      expect(properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(resource(template, logicalId(fn.logGroup)).Properties.RetentionInDays).toBe(30);
    },
  );

  it('uses no managed policy, no wildcard action and no "*" resource: no Secrets Manager action on "*"', () => {
    // Act
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Json[];
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      normalize((policy as Json).Properties.PolicyDocument.Statement as Json[]),
    );

    // Assess: one role per function (six with the erasure function).
    expect(roles).toHaveLength(6);
    for (const role of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    expect(statements.flatMap((s) => s.Action).filter((action) => action.includes('*'))).toEqual([]);
    expect(statements.filter((s) => s.Resource.includes('*'))).toEqual([]);
    expect(
      statements.flatMap((s) => s.Action).filter((action) => action.startsWith('secretsmanager:')),
    ).not.toContain('secretsmanager:ListSecrets');
  });

  it('outputs the API URL and id, the table, the queues, the webhook callback URL and secret, the bus and the dashboard', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, Json>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual([
      'ApiId',
      'ApiUrl',
      'DashboardName',
      'EventBusName',
      'RefreshDeadLetterQueueUrl',
      'RefreshQueueUrl',
      'SyncDeadLetterQueueUrl',
      'SyncQueueUrl',
      'TableName',
      'TokenSecretPrefix',
      'WebhookCallbackUrl',
      'WebhookSecretArn',
    ]);
    expect(outputs.WebhookCallbackUrl?.Value['Fn::Join'][1].at(-1)).toBe('/webhooks/meta');
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
    expect(outputs.SyncQueueUrl?.Value).toEqual({ Ref: logicalId(product.syncQueue) });
  });
});

describe('PageConversations with other props', () => {
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
      resource(template, logicalId(fn)).Properties.Environment.Variables as Record<string, unknown>;
    const graph = {
      GRAPH_API_BASE_URL: 'https://graph.example.com',
      GRAPH_API_VERSION: 'v23.0',
      SYNC_PLATFORMS: 'instagram',
      SYNC_FOLDERS: 'inbox,spam',
    };
    expect(variables(product.apiFunction)).toMatchObject(graph);
    expect(variables(product.apiFunction).SYNC_MAX_GRAPH_CALLS).toBeUndefined();
    expect(variables(product.syncWorkerFunction)).toMatchObject({ ...graph, SYNC_MAX_GRAPH_CALLS: '40' });
    expect(variables(webhooksOf(product).refreshFunction)).toMatchObject(graph);
    expect(Object.keys(variables(product.syncScheduleFunction)).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
      'SYNC_QUEUE_URL',
      'SYNC_SPREAD_SECONDS',
      'TABLE_NAME',
    ]);
    // A 30-minute round is spread over SQS's longest delay.
    expect(variables(product.syncScheduleFunction).SYNC_SPREAD_SECONDS).toBe('900');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
    template.allResourcesProperties('AWS::Lambda::Function', { MemorySize: 1024 });
  });

  it('turns on active tracing for every function, with the X-Ray writes on "*" they need and nothing else there', () => {
    // Act
    const { template } = synth({ tracing: true });

    // Assess
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    const onStar = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => normalize((policy as Json).Properties.PolicyDocument.Statement as Json[]))
      .filter((statement) => statement.Resource.includes('*'));
    expect(onStar).toHaveLength(6);
    for (const statement of onStar) {
      expect(statement.Action).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});
