import { Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ConversationsTable } from './conversations-table.js';
import { grantGraphAccess } from './graph-access.js';
import type { ResolvedProps } from './page-conversations-props.js';
import { ProductFunction, type TableAction } from './product-function.js';

/** The routes of the contract, all served by the API function. */
export const API_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = [
  { method: HttpMethod.GET, path: '/health' },
  { method: HttpMethod.GET, path: '/openapi.json' },
  { method: HttpMethod.GET, path: '/pages/{pageId}/conversations' },
  { method: HttpMethod.GET, path: '/pages/{pageId}/sync' },
  { method: HttpMethod.POST, path: '/pages/{pageId}/sync' },
];

/** API Gateway HTTP APIs give up on an integration after 30 s: answer before it does. */
const API_TIMEOUT = Duration.seconds(29);
/**
 * Requests per second across the API, and the burst above it. Well above what Graph lets one Page
 * serve (about 2 calls per second), low enough that a runaway client cannot run up a Lambda bill.
 */
const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/**
 * Exactly the calls `lib/` makes from the API (a test reads them off the synthesized policy): it
 * reads cursors, back-off marks and sync state (GetItem), writes cursors and back-off marks (PutItem)
 * and reads the index (Query). It never deletes: expiry is DynamoDB's TTL.
 */
const API_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'Query'];

export interface ConversationsApiProps {
  readonly config: ResolvedProps;
  readonly table: ConversationsTable;
  /** Where `POST /pages/{pageId}/sync` puts its message. */
  readonly syncQueue: IQueue;
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

    this.function = new ProductFunction(this, 'Function', {
      entry: 'functions/api.ts',
      description: 'Page conversations: HTTP API',
      serviceName: 'page-conversations-api',
      timeout: API_TIMEOUT,
      memorySize: config.memorySize,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      environment: { SYNC_QUEUE_URL: props.syncQueue.queueUrl },
    })
      .bindTable(props.table, API_TABLE_ACTIONS, props.table.indexNames)
      .allow(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.syncQueue.queueArn] }));
    grantGraphAccess(this.function, config);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = this.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // Minimal on purpose: the route key, never the raw path or query string.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
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
    for (const route of API_ROUTES) {
      this.addRoutes({ path: route.path, methods: [route.method], integration });
    }
  }
}
