import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnRoute,
  type CfnStage,
  HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpRouteIntegration,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type Route, type RouteScope, type RouteThrottle, routesOf } from '#lib/domain/routes.js';
import type { ConversationsTable } from './conversations-table.js';
import { grantGraphAccess } from './graph-access.js';
import { NAG_REASONS } from './nag-suppressions.js';
import { acknowledgeLogsWithoutCustomerKey, functionDefaults, ProductFunction } from './product-function.js';
import type { ResolvedProps } from './resolve-props.js';
import type { SyncFanOut } from './sync-fan-out.js';
import { API_TABLE_ACCESS } from './table-access.js';

/** The routes the API function serves, from the route table (the webhook receiver's are MetaWebhooks'). */
export const API_ROUTES = routesOf('api');

/** API Gateway HTTP APIs give up on an integration after 30 s: answer before it does. */
const API_TIMEOUT = Duration.seconds(29);
/**
 * Requests per second across the API, and the burst above it. Well above what Graph lets one Page
 * serve (about 2 calls per second), low enough that a runaway client cannot run up a Lambda bill.
 */
const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };

export interface ConversationsApiProps {
  readonly config: ResolvedProps;
  readonly table: ConversationsTable;
  /** Where the route that starts a sync puts its message. */
  readonly sync: SyncFanOut;
}

/**
 * The HTTP API of the contract: its routes, the authorizer every route sits behind, the `$default`
 * stage with its throttle and access log, and the API function with its own grants (the table,
 * the Page token secrets, and sending to the sync queue).
 */
export class ConversationsApi extends HttpApi {
  readonly function: ProductFunction;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** The JWT scopes each scope word of the route table stands for; none under IAM. */
  private readonly scopes: Readonly<Record<RouteScope, readonly string[]>> | undefined;
  private readonly routeThrottles: Record<
    string,
    { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
  > = {};

  constructor(scope: Construct, id: string, props: ConversationsApiProps) {
    const { config } = props;
    const authorizer: IHttpRouteAuthorizer =
      config.authorization.type === 'jwt'
        ? new HttpJwtAuthorizer('JwtAuthorizer', config.authorization.issuer, {
            jwtAudience: [...config.authorization.audience],
          })
        : new HttpIamAuthorizer();

    // The default authorizer covers every route, including any added later. /health and
    // /openapi.json stay behind it too: nothing about this API is public, and no anonymous caller can
    // spend the account's Lambda invocations.
    super(scope, id, {
      apiName: `${Stack.of(scope).stackName}-api`,
      description: 'Page conversations: Messenger and Instagram conversations of Facebook Pages',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
    });
    // A JWT must carry one of its route's scopes; under IAM, callers' policies decide per route ARN.
    const { authorization } = config;
    this.scopes =
      authorization.type === 'jwt'
        ? { read: authorization.readScopes, sync: authorization.syncScopes, erase: authorization.eraseScopes }
        : undefined;

    this.function = new ProductFunction(this, 'Function', {
      entry: 'functions/api.ts',
      description: 'Page conversations: HTTP API',
      serviceName: 'page-conversations-api',
      timeout: API_TIMEOUT,
      ...functionDefaults(config),
      reservedConcurrentExecutions: config.apiReservedConcurrency,
      environment: {
        SYNC_QUEUE_URL: props.sync.queue.queueUrl,
        ...(config.jwtPageIdsClaim === undefined ? {} : { JWT_PAGE_IDS_CLAIM: config.jwtPageIdsClaim }),
      },
    }).bindTable(props.table, API_TABLE_ACCESS);
    props.sync.grantStartSync(this.function);
    grantGraphAccess(this.function, config);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
      encryptionKey: config.encryptionKey,
    });
    if (config.encryptionKey === undefined) acknowledgeLogsWithoutCustomerKey(this.accessLogs);
    this.stage = this.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // Who called and from where, and the route key: never the raw path or query string.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            // The dimension of the webhook throttle count (a metric filter on this log).
            apiId: '$context.apiId',
            caller:
              config.authorization.type === 'jwt'
                ? '$context.authorizer.claims.sub'
                : '$context.identity.userArn',
            sourceIp: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLatency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('Integration', this.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of API_ROUTES) this.addTableRoute(route, integration);
  }

  /**
   * Adds one route of the route table: one method and one path (a per-Page IAM policy names route ARNs,
   * which works only so), with the JWT scopes its row names and its own throttle when it has one
   * (`throttle` in its place: a throttle the deployment sizes, as the webhook routes'). Public rows get no
   * authorizer: their function verifies Meta instead.
   */
  addTableRoute(route: Route, integration: HttpRouteIntegration, throttle?: RouteThrottle): HttpRoute {
    const [created] = this.addRoutes({
      path: route.path,
      methods: [route.method as HttpMethod],
      integration,
      ...(route.auth === 'public'
        ? { authorizer: new HttpNoneAuthorizer() }
        : this.scopes === undefined
          ? {}
          : { authorizationScopes: [...this.scopes[route.scope]] }),
    });
    if (created === undefined) throw new Error(`No route was created for ${route.method} ${route.path}.`);
    const routeThrottle = throttle ?? ('throttle' in route ? route.throttle : undefined);
    if (routeThrottle !== undefined) this.throttleRoute(created, routeThrottle);
    if (route.auth === 'public')
      Validations.of(created).acknowledge({ id: 'AwsSolutions-APIG4', reason: NAG_REASONS.publicRoute });
    return created;
  }

  /**
   * Gives one route its own throttle in the stage's route settings, beside the others'. A raw
   * CloudFormation map (the L2 stage has no route settings), keyed by route key as CloudFormation spells
   * it; the stage depends on the route, since route settings must name a route that exists.
   */
  private throttleRoute(route: HttpRoute, throttle: RouteThrottle): void {
    const stage = this.stage.node.defaultChild as CfnStage;
    this.routeThrottles[(route.node.defaultChild as CfnRoute).routeKey] = {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
    };
    stage.routeSettings = { ...this.routeThrottles };
    stage.node.addDependency(route);
  }
}
