import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeLabel } from '#lib/domain/routes.js';
import { API_ROUTES, type PageConversations } from '../../cdk/page-conversations.js';
import {
  arnOf,
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
  WEBHOOK_ROUTE_KEYS,
  webhooksOf,
} from './synth.js';

/** IAM's ARN matching: `*` any characters (`/` included), `?` one character, the rest literal. */
function iamArnMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`).test(arn);
}

describe('ConversationsApi with default props', () => {
  let product: PageConversations;
  let template: Template;
  beforeAll(() => {
    ({ product, template } = synth());
  });
  it('has exactly the routes of the contract: IAM (SigV4) on all but the two Meta Webhooks routes', () => {
    // Prepare
    const expected = API_ROUTES.map((route) => `${route.method} ${route.path}`);

    // Act
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[];

    // Assess
    expect(expected).toEqual([
      'GET /health',
      'GET /openapi.json',
      'GET /pages',
      'GET /pages/{pageId}',
      'GET /pages/{pageId}/conversations',
      'GET /pages/{pageId}/changes',
      'GET /pages/{pageId}/sync',
      'POST /pages/{pageId}/sync',
    ]);
    const authorizationByRoute = Object.fromEntries(
      routes.map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType]),
    );
    expect(authorizationByRoute).toEqual({
      ...Object.fromEntries(expected.map((key) => [key, 'AWS_IAM'])),
      // The erasure route is behind the same authorizer, on its own function (cdk/person-data.ts).
      'POST /pages/{pageId}/erasures': 'AWS_IAM',
      ...Object.fromEntries(WEBHOOK_ROUTE_KEYS.map((key) => [key, 'NONE'])),
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('sends the contract routes to the API function and the webhook routes to the receiver, payload format 2.0', () => {
    // Prepare
    const integrationOf = Object.fromEntries(
      Object.entries(template.findResources('AWS::ApiGatewayV2::Integration')).map(([id, integration]) => [
        id,
        (integration as Json).Properties,
      ]),
    );

    // Act
    const targets = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[]).map(
      (route) => {
        const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
        return [route.Properties.RouteKey, integrationOf[integrationId]] as const;
      },
    );

    // Assess
    expect(Object.keys(integrationOf)).toHaveLength(3);
    for (const [routeKey, integration] of targets) {
      const fn = WEBHOOK_ROUTE_KEYS.includes(routeKey)
        ? webhooksOf(product).receiverFunction
        : routeKey === routeLabel('erasePerson')
          ? product.erasureFunction
          : product.apiFunction;
      expect(integration, routeKey).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arnOf(logicalId(fn)),
        PayloadFormatVersion: '2.0',
      });
    }
  });

  // Under IAM, who may read which Page is the caller's policy: execute-api:Invoke on route ARNs
  // (`<api>/<stage>/<METHOD>/<path>`). That works only because each route is one method and one path.
  it('lets a per-Page IAM policy reach exactly that Page: routes are declared per method and path', () => {
    // Prepare: the README's policy for Page 123, and the request ARNs of every route for Pages 123, 1234, 124.
    const api = 'arn:aws:execute-api:eu-west-1:111122223333:a1b2c3d4e5';
    const policy = [`${api}/*/GET/pages/123`, `${api}/*/GET/pages/123/*`];
    const authorized = new Set(
      ROUTES.filter((route) => route.auth === 'authorized').map((route) => routeLabel(route.handler)),
    );
    const routeKeys = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[])
      .map((route) => route.Properties.RouteKey as string)
      .filter((key) => authorized.has(key));
    const requests = routeKeys.flatMap((key) => {
      const [method, path] = key.split(' ') as [string, string];
      return ['123', '1234', '124'].map((pageId) => `${method} ${path.replace('{pageId}', pageId)}`);
    });
    const arnOfRequest = (request: string) => `${api}/$default/${request.replace(' /', '/')}`;

    // Act
    const allowed = [...new Set(requests)].filter((request) =>
      policy.some((resource) => iamArnMatches(resource, arnOfRequest(request))),
    );

    // Assess
    for (const key of routeKeys) expect(key).toMatch(/^(GET|POST) \/[a-z.]+(\/[a-z.{}A-Z]+)*$/);
    expect(allowed.sort()).toEqual([
      'GET /pages/123',
      'GET /pages/123/changes',
      'GET /pages/123/conversations',
      'GET /pages/123/sync',
    ]);
    // Why the policy names `pages/123` and `pages/123/*`, not `pages/123*`: that would reach Page 1234.
    expect(iamArnMatches(`${api}/*/GET/pages/123*`, arnOfRequest('GET /pages/1234/conversations'))).toBe(
      true,
    );
  });

  it.each(ROUTES.map((route) => [routeLabel(route.handler), route] as const))(
    'makes the route table row %s one route: its authorization, function and throttle',
    (key, route) => {
      // Prepare
      const stage = resource(template, logicalId(product.api.stage));
      const fn = {
        api: product.apiFunction,
        erasure: product.erasureFunction,
        'webhook-receiver': webhooksOf(product).receiverFunction,
      }[route.lambda];

      // Act
      const routes = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[]).filter(
        (candidate) => candidate.Properties.RouteKey === key,
      );

      // Assess
      expect(routes).toHaveLength(1);
      const [created] = routes as [Json];
      expect(created.Properties.AuthorizationType).toBe(route.auth === 'public' ? 'NONE' : 'AWS_IAM');
      const integrationId = created.Properties.Target['Fn::Join'][1][1].Ref as string;
      expect(resource(template, integrationId).Properties.IntegrationUri).toEqual(arnOf(logicalId(fn)));
      expect(stage.Properties.RouteSettings?.[key]).toEqual(
        'throttle' in route
          ? {
              ThrottlingRateLimit: route.throttle.rateLimit,
              ThrottlingBurstLimit: route.throttle.burstLimit,
            }
          : undefined,
      );
    },
  );

  it('logs every request as minimal JSON to a log group with retention, and throttles the stage', () => {
    // Prepare
    const accessLogsId = logicalId(product.api.accessLogs);

    // Act
    const stage = resource(template, logicalId(product.api.stage));

    // Assess
    expect(stage.Properties.StageName).toBe('$default');
    expect(stage.Properties.AutoDeploy).toBe(true);
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 100,
      ThrottlingRateLimit: 50,
    });
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual(arnOf(accessLogsId));
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toEqual({
      requestId: '$context.requestId',
      apiId: '$context.apiId',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      caller: '$context.identity.userArn',
      sourceIp: '$context.identity.sourceIp',
    });
    expect(resource(template, accessLogsId).Properties.RetentionInDays).toBe(30);
  });

  it('gives the API function exactly its environment', () => {
    // Act
    const variables = resource(template, logicalId(product.apiFunction)).Properties.Environment.Variables;

    // Assess
    expect(variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-api',
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
      SYNC_QUEUE_URL: { Ref: logicalId(product.syncQueue) },
      PRIVACY_QUEUE_URL: { Ref: logicalId(product.personData.queue) },
    });
  });

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
        // The run summaries of a listed batch of Pages, read in one call from their own partitions.
        {
          Effect: 'Allow',
          Action: 'dynamodb:BatchGetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('PAGE#'),
        },
        // SYNCREQ#: when POST /sync started a run (the API never writes the sync state itself).
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('CURSOR#', 'BACKOFF#', 'PAGE#', 'PAGES', 'SYNCREQ#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: arnOf(tableId),
          Condition: leadingKeys('CURSOR#', 'BACKOFF#', 'SYNCREQ#'),
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
          Resource: arnOf(tableId),
          Condition: leadingKeys('PAGES'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: arnOf(tableId),
          Condition: leadingKeys('CHANGES#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: indexArnOf(tableId, 'gsi1'),
          Condition: leadingKeys('IDX#', 'RMV#'),
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:Query',
          Resource: indexArnOf(tableId, 'gsi2'),
          Condition: leadingKeys('EVENTS#'),
        },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
        // The sync queue (POST /sync), and the erasure queue: a read that finds conversations past the
        // retention has their folder swept (one statement: minimizePolicies).
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: [arnOf(logicalId(product.personData.queue)), arnOf(logicalId(product.syncQueue))],
        },
      ]),
    );
  });
});

describe('ConversationsApi with other props', () => {
  it('puts every contract route behind a JWT authorizer with the given issuer and audience', () => {
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
    const routes = (Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Json[]).filter(
      (route) => !WEBHOOK_ROUTE_KEYS.includes(route.Properties.RouteKey),
    );
    expect(routes).toHaveLength(ROUTES.filter((route) => route.auth === 'authorized').length);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });
});
