import { readdirSync, readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { indexKeys, keys } from '#lib/store/keys.js';
import { SORT_KEYS } from '#lib/store/table-schema.js';
import { INDEX_KEY_PREFIXES, KEY_PREFIXES } from '../../cdk/conversations-table.js';
import type { PageConversationsProps } from '../../cdk/page-conversations.js';
import type { ProductFunction } from '../../cdk/product-function.js';
import {
  API_TABLE_ACCESS,
  ERASURE_TABLE_ACCESS,
  OPERATOR_ONLY_PREFIXES,
  RECEIVER_TABLE_ACCESS,
  REFRESH_TABLE_ACCESS,
  SCHEDULE_TABLE_ACCESS,
  SYNC_WORKER_TABLE_ACCESS,
} from '../../cdk/table-access.js';
import { type Json, leadingKeys, logicalId, resource, synthOnce, webhooksOf } from './synth.js';

/** What a bank's cloud reviewer checks in the template (issue 9, infrastructure findings). */

function tableStatements(template: Template, roleId: string): Json[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies)
    .flatMap((policy) => (policy as Json).Properties.PolicyDocument.Statement as Json[])
    .filter((statement) => ([] as string[]).concat(statement.Action).some((a) => a.startsWith('dynamodb:')));
}

describe('encryption without a customer-managed key', () => {
  it('keeps AWS-owned encryption', () => {
    // Act
    const { template } = synthOnce();

    // Assess
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(logGroup.Properties.KmsKeyId).toBeUndefined();
    }
    template.resourceCountIs('AWS::KMS::Key', 0);
  });
});

describe('table deletion protection', () => {
  it.each<[string, Partial<PageConversationsProps>, boolean]>([
    ['on by default', {}, true],
    ['off when the prop says so', { deletionProtection: false }, false],
  ])('is %s', (_, props, expected) => {
    // Act
    const { template, product } = synthOnce(props);

    // Assess
    expect(
      resource(template, logicalId(product.table)).Properties.Replicas[0].DeletionProtectionEnabled,
    ).toBe(expected);
  });
});

describe('item access by key prefix (dynamodb:LeadingKeys)', () => {
  const { template, product } = synthOnce();
  const tableArn = { 'Fn::GetAtt': [logicalId(product.table), 'Arn'] };
  const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] });
  const roles = {
    API: product.apiFunction,
    'sync schedule': product.syncScheduleFunction,
    'sync worker': product.syncWorkerFunction,
    'webhook refresh': webhooksOf(product).refreshFunction,
    'webhook receiver': webhooksOf(product).receiverFunction,
    erasure: product.erasureFunction,
  };
  const granted = (fn: ProductFunction) =>
    tableStatements(template, logicalId(fn.role)).flatMap(
      (statement) => statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'] as string[],
    );

  it.each([
    ['API', product.apiFunction, API_TABLE_ACCESS],
    ['sync schedule', product.syncScheduleFunction, SCHEDULE_TABLE_ACCESS],
    ['sync worker', product.syncWorkerFunction, SYNC_WORKER_TABLE_ACCESS],
    ['webhook refresh', webhooksOf(product).refreshFunction, REFRESH_TABLE_ACCESS],
    ['webhook receiver', webhooksOf(product).receiverFunction, RECEIVER_TABLE_ACCESS],
    ['erasure', product.erasureFunction, ERASURE_TABLE_ACCESS],
  ] as const)('limits the %s role to the actions and partitions of its table access', (_, fn, access) => {
    // Act
    const statements = tableStatements(template, logicalId(fn.role));

    // Assess
    expect(statements).toEqual([
      ...access.items.map(({ actions, keyPrefixes }) => ({
        Effect: 'Allow',
        Action:
          actions.length === 1 ? `dynamodb:${actions[0]}` : actions.map((action) => `dynamodb:${action}`),
        Resource: tableArn,
        Condition: leadingKeys(...keyPrefixes),
      })),
      ...access.indexQueries.map(({ indexName, keyPrefixes }) => ({
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: indexArn(indexName),
        Condition: leadingKeys(...keyPrefixes),
      })),
    ]);
  });

  it('lets no role but the API write cursors, and none write a back-off except the Graph callers', () => {
    // Act
    const writers = (prefix: string) =>
      Object.entries(roles)
        .filter(([, fn]) =>
          tableStatements(template, logicalId(fn.role)).some(
            (statement) =>
              ([] as string[]).concat(statement.Action).includes('dynamodb:PutItem') &&
              statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'].includes(`${prefix}*`),
          ),
        )
        .map(([name]) => name);

    // Assess
    expect(writers('CURSOR#')).toEqual(['API']);
    expect(writers('BACKOFF#')).toEqual(['API', 'sync worker', 'webhook refresh']);
    expect(writers('PAGE#')).toEqual([]);
  });

  it('declares every partition key the stores write (lib/store/table-schema.ts), and only keys.ts builds them', () => {
    // Prepare: every key builder called with sample ids, and the store sources but the two key modules.
    const built = Object.entries(keys).map(([name, build]) => {
      const key = (build as (...ids: string[]) => { pk: string })('1001', 'messenger', 'inbox');
      return [name, key.pk] as const;
    });
    const indexPartitions = [
      indexKeys.indexedFolder({ pageId: '1001', platform: 'messenger', folder: 'inbox' }),
      indexKeys.removedFolder({ pageId: '1001', platform: 'messenger', folder: 'inbox' }),
      indexKeys.pendingEvents('1001'),
    ];
    const dir = new URL('../../lib/store/', import.meta.url);
    const sources = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !['table-schema.ts', 'keys.ts'].includes(file))
      .map((file) => [file, readFileSync(new URL(file, dir), 'utf8')] as const);
    const prefixOf = (key: string, declared: readonly string[]) =>
      declared.find((prefix) => (prefix.endsWith('#') ? key.startsWith(prefix) : key === prefix));

    // Assess: each key's partition has its declared prefix, and every declared partition is built.
    const declared = Object.values(KEY_PREFIXES);
    for (const [name, pk] of built) expect(prefixOf(pk, declared), `${name}: ${pk}`).toBeDefined();
    expect(new Set(built.map(([, pk]) => prefixOf(pk, declared)))).toEqual(new Set(declared));
    const indexDeclared = Object.values(INDEX_KEY_PREFIXES);
    expect(new Set(indexPartitions.map((pk) => prefixOf(pk, indexDeclared)))).toEqual(new Set(indexDeclared));
    // No store spells a key word in a string: a key written by hand would escape the checks above.
    const words = [...declared, ...indexDeclared, ...Object.values(SORT_KEYS)];
    for (const [file, source] of sources) {
      for (const word of words) {
        const spelled = word.endsWith('#') ? [`'${word}`, `\`${word}`] : [`'${word}'`, `\`${word}\``];
        for (const literal of spelled)
          expect(source.includes(literal), `${file} spells ${literal}`).toBe(false);
      }
    }
  });

  it('grants every declared partition to some function, or keeps it for operators only', () => {
    // Act
    const grantedAnywhere = new Set(Object.values(roles).flatMap(granted));

    // Assess
    for (const prefix of Object.values(KEY_PREFIXES)) {
      const pattern = prefix.endsWith('#') ? `${prefix}*` : prefix;
      const operatorOnly = OPERATOR_ONLY_PREFIXES.includes(prefix);
      expect(
        grantedAnywhere.has(pattern),
        `${prefix}: granted ${!operatorOnly}, operator-only ${operatorOnly}`,
      ).toBe(!operatorOnly);
    }
    for (const prefix of Object.values(INDEX_KEY_PREFIXES))
      expect(grantedAnywhere.has(`${prefix}*`)).toBe(true);
  });
});

describe('the Graph origin over the network', () => {
  it.each([['http://graph.example.com'], ['http://10.0.0.8:8080']])('refuses clear-text %s', (url) => {
    expect(() => synthOnce({ graphApiBaseUrl: url })).toThrow(
      /graphApiBaseUrl must be an absolute https URL/,
    );
  });
});

describe('JWT scopes per route', () => {
  const scopesByRoute = (template: Template) =>
    Object.fromEntries(
      (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[]).map((route) => [
        route.Properties.RouteKey,
        route.Properties.AuthorizationScopes,
      ]),
    );
  const jwt = { type: 'jwt', issuer: 'https://auth.example.com/', audience: ['a'] } as const;

  it('asks reads for the read scope and POST /sync for the sync scope, by default', () => {
    // Act
    const { template } = synthOnce({ authorization: jwt });

    // Assess
    const read = ['page-conversations/read'];
    expect(scopesByRoute(template)).toEqual({
      'GET /health': read,
      'GET /openapi.json': read,
      'GET /pages': read,
      'GET /pages/{pageId}': read,
      'GET /pages/{pageId}/conversations': read,
      'GET /pages/{pageId}/sync': read,
      'POST /pages/{pageId}/sync': ['page-conversations/sync'],
      'GET /pages/{pageId}/changes': read,
      'GET /webhooks/meta': undefined,
      'POST /webhooks/meta': undefined,
      'POST /pages/{pageId}/erasures': ['page-conversations/erase'],
      'POST /meta/data-deletion': undefined,
      'GET /meta/data-deletion/{code}': undefined,
    });
  });

  it('takes the scopes and the Page claim from the props', () => {
    // Act
    const { template, product } = synthOnce({
      authorization: { ...jwt, readScopes: ['api/r'], syncScopes: ['api/s', 'api/admin'] },
      jwtPageIdsClaim: 'custom:page_ids',
    });

    // Assess
    expect(scopesByRoute(template)['GET /pages/{pageId}/conversations']).toEqual(['api/r']);
    expect(scopesByRoute(template)['POST /pages/{pageId}/sync']).toEqual(['api/s', 'api/admin']);
    const variables = resource(template, logicalId(product.apiFunction)).Properties.Environment.Variables;
    expect(variables.JWT_PAGE_IDS_CLAIM).toBe('custom:page_ids');
  });

  it('gives the API function no Page claim unless one is named', () => {
    // Act
    const { template, product } = synthOnce({ authorization: jwt });

    // Assess
    const variables = resource(template, logicalId(product.apiFunction)).Properties.Environment.Variables;
    expect(variables).not.toHaveProperty('JWT_PAGE_IDS_CLAIM');
  });

  it('asks no scope under IAM, where policies decide per route', () => {
    expect(Object.values(scopesByRoute(synthOnce().template)).every((scopes) => scopes === undefined)).toBe(
      true,
    );
  });
});

describe('access log', () => {
  it.each<[string, Partial<PageConversationsProps>, string]>([
    ['the IAM caller', {}, '$context.identity.userArn'],
    [
      'the JWT subject',
      { authorization: { type: 'jwt', issuer: 'https://auth.example.com/', audience: ['a'] } },
      '$context.authorizer.claims.sub',
    ],
  ])('names %s and the source IP', (_, props, caller) => {
    // Act
    const { template, product } = synthOnce(props);

    // Assess
    const format = JSON.parse(
      resource(template, logicalId(product.api.stage)).Properties.AccessLogSettings.Format,
    );
    expect(format).toMatchObject({ caller, sourceIp: '$context.identity.sourceIp' });
  });
});

describe('throttling', () => {
  it.each([['POST /pages/{pageId}/sync'], ['GET /webhooks/meta'], ['POST /webhooks/meta']])(
    'gives %s a route throttle below the stage-wide one',
    (routeKey) => {
      // Act
      const { template, product } = synthOnce();

      // Assess
      const stage = resource(template, logicalId(product.api.stage));
      const route = stage.Properties.RouteSettings[routeKey];
      expect(route.ThrottlingRateLimit).toBeLessThan(
        stage.Properties.DefaultRouteSettings.ThrottlingRateLimit,
      );
      expect(route.ThrottlingBurstLimit).toBeLessThan(
        stage.Properties.DefaultRouteSettings.ThrottlingBurstLimit,
      );
      const routeIds = Object.entries(template.findResources('AWS::ApiGatewayV2::Route'))
        .filter(([, r]) => (r as Json).Properties.RouteKey === routeKey)
        .map(([id]) => id);
      expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
    },
  );

  it.each<[string, Partial<PageConversationsProps>, number | undefined]>([
    ['no reservation by default', {}, undefined],
    ['the reserved concurrency given', { apiReservedConcurrency: 20 }, 20],
  ])('gives the API function %s', (_, props, expected) => {
    // Act
    const { template, product } = synthOnce(props);

    // Assess
    expect(resource(template, logicalId(product.apiFunction)).Properties.ReservedConcurrentExecutions).toBe(
      expected,
    );
  });
});

describe('the schedule function invoked asynchronously', () => {
  it('retries twice, then sends the event to a dead-letter queue that alarms', () => {
    // Act
    const { template, product } = synthOnce();

    // Assess
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Json[];
    expect(configs).toHaveLength(1);
    const config = configs[0]?.Properties;
    expect(config.FunctionName).toEqual({ Ref: logicalId(product.syncScheduleFunction) });
    expect(config.MaximumRetryAttempts).toBe(2);
    const destination = config.DestinationConfig.OnFailure.Destination;
    expect(destination).toEqual({ 'Fn::GetAtt': [logicalId(product.scheduleDeadLetterQueue), 'Arn'] });
    const alarmed = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmed).toContain(
      JSON.stringify({ 'Fn::GetAtt': [logicalId(product.scheduleDeadLetterQueue), 'QueueName'] }),
    );
  });
});

describe('log retention', () => {
  it.each<[string, Partial<PageConversationsProps>, number]>([
    ['30 days by default', {}, 30],
    ['what the prop says', { logRetention: RetentionDays.ONE_YEAR }, 365],
  ])('is %s for every log group', (_, props, days) => {
    // Act
    const { template } = synthOnce(props);

    // Assess
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup')) as Json[]) {
      expect(logGroup.Properties.RetentionInDays).toBe(days);
    }
  });

  it('refuses to keep logs forever', () => {
    expect(() => synthOnce({ logRetention: RetentionDays.INFINITE })).toThrow(/logRetention must be/);
  });
});
