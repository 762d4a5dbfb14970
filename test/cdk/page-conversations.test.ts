import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageConversations } from '../../cdk/page-conversations.js';
import { arnOf, type Json, logicalId, normalize, resource, synth } from './synth.js';

describe('PageConversations with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
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
    const properties = resource(template, logicalId(fn)).Properties;

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
});
