/**
 * Every route of the API, declared once: its method and path, whether API Gateway authorizes it, the
 * JWT scope it asks for, its own throttle, the Lambda function that serves it and the key of its
 * handler. The routers (`lib/http`), the OpenAPI document's paths, the CDK routes, throttles and alarms,
 * and the tests all read this table, so that a route is added here, with its handler, and nowhere else.
 * Route strings stand only in this file: messages and descriptions elsewhere interpolate them
 * (`routeLabel`, `routePath`), and a test fails on a route literal anywhere else in lib/, cdk/ and
 * functions/.
 */

/** The methods the routes use. */
type RouteMethod = 'GET' | 'POST';

/**
 * Which list of the deployment's JWT scopes an authorized route asks for (one of them): `read` routes
 * only read, `sync` starts Graph work, `erase` removes a person's data. Under IAM, callers' policies
 * decide per route ARN instead.
 */
export type RouteScope = 'read' | 'sync' | 'erase';

/** The Lambda function that serves a route: public routes run with a role that can do little. */
export type RouteLambda = 'api' | 'webhook-receiver' | 'erasure';

/** A route's own throttle, below the stage-wide one: requests per second and the burst above it. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

interface RouteCommon {
  readonly method: RouteMethod;
  /** API Gateway's route path: `{name}` is one path segment. */
  readonly path: string;
  /** The handler's key in its function's handler map, and the operation's id in the OpenAPI document. */
  readonly handler: string;
  readonly lambda: RouteLambda;
  readonly throttle?: RouteThrottle;
}

/**
 * `authorized`: behind the deployment's one authorizer (IAM or JWT), asking a JWT for one of the
 * scopes of `scope`. `public`: no AWS authorization, for Meta, which cannot sign requests; the handler
 * verifies Meta instead.
 */
export type RouteSpec = RouteCommon &
  ({ readonly auth: 'authorized'; readonly scope: RouteScope } | { readonly auth: 'public' });

/** Meta's path: the callback URL entered in the app dashboard is the API's URL plus this. */
export const WEBHOOK_PATH = '/webhooks/meta';

/**
 * `POST /pages/{pageId}/sync` costs four or more Graph calls per request (one per platform and
 * folder): its own, lower limit, so that a burst of syncs cannot spend the Pages' Graph quota.
 */
const SYNC_THROTTLE: RouteThrottle = { rateLimit: 1, burstLimit: 5 };

/**
 * The public routes' own limit, whatever the stage's: Meta batches events (one POST carries many
 * entries) and redelivers what was refused, so this bounds what anonymous callers can invoke without
 * losing Meta's deliveries.
 */
const WEBHOOK_THROTTLE: RouteThrottle = { rateLimit: 20, burstLimit: 40 };

/** Meta's Data Deletion Request Callback: the URL to enter in the app's settings is the API's URL plus this. */
export const DATA_DELETION_PATH = '/meta/data-deletion';

/**
 * `POST /pages/{pageId}/erasures` reads and rewrites a person's conversations: a limit of its own, so
 * that a runaway script cannot crowd out the index's other writers.
 */
const ERASE_THROTTLE: RouteThrottle = { rateLimit: 5, burstLimit: 10 };

/** In the order the OpenAPI document lists them. */
export const ROUTES = [
  { method: 'GET', path: '/health', auth: 'authorized', scope: 'read', lambda: 'api', handler: 'health' },
  {
    method: 'GET',
    path: '/openapi.json',
    auth: 'authorized',
    scope: 'read',
    lambda: 'api',
    handler: 'openApi',
  },
  { method: 'GET', path: '/pages', auth: 'authorized', scope: 'read', lambda: 'api', handler: 'listPages' },
  {
    method: 'GET',
    path: '/pages/{pageId}',
    auth: 'authorized',
    scope: 'read',
    lambda: 'api',
    handler: 'getPage',
  },
  {
    method: 'GET',
    path: '/pages/{pageId}/conversations',
    auth: 'authorized',
    scope: 'read',
    lambda: 'api',
    handler: 'listConversations',
  },
  {
    method: 'GET',
    path: '/pages/{pageId}/changes',
    auth: 'authorized',
    scope: 'read',
    lambda: 'api',
    handler: 'listChanges',
  },
  {
    method: 'GET',
    path: '/pages/{pageId}/sync',
    auth: 'authorized',
    scope: 'read',
    lambda: 'api',
    handler: 'getSyncState',
  },
  {
    method: 'POST',
    path: '/pages/{pageId}/sync',
    auth: 'authorized',
    scope: 'sync',
    throttle: SYNC_THROTTLE,
    lambda: 'api',
    handler: 'startSync',
  },
  {
    method: 'GET',
    path: WEBHOOK_PATH,
    auth: 'public',
    throttle: WEBHOOK_THROTTLE,
    lambda: 'webhook-receiver',
    handler: 'verifyWebhookSubscription',
  },
  {
    method: 'POST',
    path: WEBHOOK_PATH,
    auth: 'public',
    throttle: WEBHOOK_THROTTLE,
    lambda: 'webhook-receiver',
    handler: 'receiveWebhook',
  },
  {
    method: 'POST',
    path: '/pages/{pageId}/erasures',
    auth: 'authorized',
    scope: 'erase',
    throttle: ERASE_THROTTLE,
    lambda: 'erasure',
    handler: 'erasePerson',
  },
  {
    method: 'POST',
    path: DATA_DELETION_PATH,
    auth: 'public',
    throttle: WEBHOOK_THROTTLE,
    lambda: 'webhook-receiver',
    handler: 'requestDataDeletion',
  },
  {
    method: 'GET',
    path: `${DATA_DELETION_PATH}/{code}`,
    auth: 'public',
    throttle: WEBHOOK_THROTTLE,
    lambda: 'webhook-receiver',
    handler: 'getDataDeletionStatus',
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type RouteKey = Route['handler'];
/** The routes one function serves, and the keys of their handlers. */
export type RouteOf<L extends RouteLambda> = Extract<Route, { lambda: L }>;
export type HandlerKey<L extends RouteLambda> = RouteOf<L>['handler'];

/** The routes one function serves, in the table's order. */
export function routesOf<L extends RouteLambda>(lambda: L): readonly RouteOf<L>[] {
  return ROUTES.filter((route): route is RouteOf<L> => route.lambda === lambda);
}

/** The route of a handler key. */
export function routeOf<K extends RouteKey>(key: K): Extract<Route, { handler: K }> {
  // Every key names exactly one row: the type of `key` says so, and a test checks that keys are unique.
  return ROUTES.find((route) => route.handler === key) as Extract<Route, { handler: K }>;
}

/** `GET /pages/{pageId}/sync`: how messages and descriptions name a route. */
export function routeLabel(key: RouteKey): string {
  const { method, path } = routeOf(key);
  return `${method} ${path}`;
}

/** The names of a path's parameters, in order: `/pages/{pageId}/sync` has `pageId`. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^/{}]+)\}/g)].map((match) => match[1] ?? '');
}

type ParametersOf<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParametersOf<Rest>
  : never;

/**
 * A route's path with its parameters filled in, each encoded as one path segment:
 * `routePath('startSync', { pageId: '123' })` is `/pages/123/sync`.
 */
export function routePath<K extends RouteKey>(
  key: K,
  ...[values]: ParametersOf<Extract<Route, { handler: K }>['path']> extends never
    ? []
    : [Record<ParametersOf<Extract<Route, { handler: K }>['path']>, string>]
): string {
  const filled = values as Record<string, string> | undefined;
  return routeOf(key).path.replace(/\{([^/{}]+)\}/g, (_, name: string) =>
    encodeURIComponent(filled?.[name] ?? ''),
  );
}

const patterns = new Map<string, RegExp>();

/**
 * Whether a request path is one of a route's: each `{name}` one non-empty segment, the rest literal (the
 * `.` of `/openapi.json` too), a trailing `/` allowed as the router allows it.
 */
export function pathMatches(template: string, path: string): boolean {
  let pattern = patterns.get(template);
  if (pattern === undefined) {
    const literal = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    pattern = new RegExp(`^${literal.replace(/\{[^/{}]+\}/g, '[^/]+')}/?$`);
    patterns.set(template, pattern);
  }
  return pattern.test(path);
}

/** The function that serves a request path, whatever the method; undefined when no route has it. */
export function lambdaServing(path: string): RouteLambda | undefined {
  return ROUTES.find((route) => pathMatches(route.path, path))?.lambda;
}
