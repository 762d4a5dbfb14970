import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type ConversationsDependencies, listConversations } from '../conversations/list-conversations.js';
import { type IndexedDependencies, listIndexedConversations } from '../conversations/list-indexed.js';
import { isProductError } from '../domain/error-body.js';
import { MethodNotAllowedError, RouteNotFoundError, UpstreamTimeoutError } from '../domain/errors.js';
import { INDEXED_FIELDS } from '../domain/vocabulary.js';
import { getPage, listPages, type PageListingDependencies } from '../pages/page-listing.js';
import { readSyncStatus, requestSync, type SyncControlDependencies } from '../sync/sync-control.js';
import { countErrorAnswer } from '../telemetry/error-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { conversationsBody } from './conversations-body.js';
import { errorResponse } from './error-response.js';
import { openApiDocument } from './openapi.js';
import { pageAccessOf, requirePageAccess } from './page-access.js';
import { pagesBody } from './pages-body.js';
import { PAGE_ID_PARAMETER } from './query-parameters.js';
import { parseConversationsRequest, parsePagesRequest, readPageId, readQuery } from './request-params.js';
import { type HttpResponse, jsonResponse } from './responses.js';

export interface ApiDependencies {
  conversations: ConversationsDependencies;
  indexed: IndexedDependencies;
  control: SyncControlDependencies;
  pages: PageListingDependencies;
  logger: Logger;
  now: () => Date;
  /** `PUBLIC_BASE_URL`: the API's public origin and base path, for `paging.next`. */
  publicBaseUrl?: string | undefined;
  /** Counts answers the contract names (invalid_cursor, unavailable); nothing unless given. */
  metrics?: ProductMetrics;
  /** `JWT_PAGE_IDS_CLAIM`: the JWT claim listing the Pages a caller may read; unset, every Page. */
  pageIdsClaim?: string | undefined;
}

type RouteHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** A middleware an entry point wraps around an HTTP handler (Powertools' logger context, metrics). */
export type LambdaMiddleware = MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context>;

const INDEXED = new Set(INDEXED_FIELDS);
const NO_PARAMS: ReadonlySet<string> = new Set();

// A host as API Gateway names its own domain (a name or an address, and a port locally).
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/;

/**
 * The base of `paging.next`: `PUBLIC_BASE_URL` when set (a custom domain, perhaps with a base path),
 * else API Gateway's own domain and stage. Never the `Host` or `x-forwarded-proto` headers, which a
 * caller writes: a link built from them could point anywhere. API Gateway serves https only; a
 * loopback domain is the local runtime, which serves http.
 */
function selfBaseUrl(event: APIGatewayProxyEventV2, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl !== undefined) return publicBaseUrl.replace(/\/+$/, '');
  const { domainName, stage } = event.requestContext;
  // Not a host name: no origin at all rather than one that may be wrong; the path still works.
  if (!HOST.test(domainName)) return '';
  const scheme = LOOPBACK.test(domainName) ? 'http' : 'https';
  return `${scheme}://${domainName}${stage && stage !== '$default' ? `/${encodeURIComponent(stage)}` : ''}`;
}

/** The page id of a route that takes no query parameters, which it refuses like any unknown one. */
function pageOnly(event: APIGatewayProxyEventV2): string {
  const pageId = readPageId(event.pathParameters);
  readQuery(event.rawQueryString, NO_PARAMS);
  return pageId;
}

function routes(deps: ApiDependencies): Array<{ method: Method; path: string; handler: RouteHandler }> {
  const openApi = JSON.stringify(openApiDocument);
  return [
    { method: 'GET', path: '/health', handler: async () => jsonResponse(200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/openapi.json',
      handler: async () => ({ ...jsonResponse(200, null), body: openApi }),
    },
    {
      method: 'GET',
      path: '/pages',
      handler: async (event) => {
        const request = parsePagesRequest(event.rawQueryString);
        const access = pageAccessOf(event, deps.pageIdsClaim);
        const page = await listPages(
          deps.pages,
          request,
          access.kind === 'listed' ? access.pageIds : undefined,
        );
        return jsonResponse(200, pagesBody(page, request.limit, selfBaseUrl(event, deps.publicBaseUrl)));
      },
    },
    {
      method: 'GET',
      path: '/pages/{pageId}',
      handler: async (event) => jsonResponse(200, await getPage(deps.pages, pageOnly(event))),
    },
    {
      method: 'GET',
      path: '/pages/{pageId}/conversations',
      handler: async (event) => {
        const request = parseConversationsRequest(event.pathParameters, event.rawQueryString, INDEXED);
        if (request.source === 'graph') {
          const page = await listConversations(deps.conversations, request);
          return jsonResponse(200, conversationsBody(request, page, selfBaseUrl(event, deps.publicBaseUrl)));
        }
        const page = await listIndexedConversations(deps.indexed, request);
        return jsonResponse(
          200,
          conversationsBody(request, page, selfBaseUrl(event, deps.publicBaseUrl), page.syncedAt),
        );
      },
    },
    {
      method: 'GET',
      path: '/pages/{pageId}/sync',
      handler: async (event) => jsonResponse(200, await readSyncStatus(deps.control, pageOnly(event))),
    },
    {
      method: 'POST',
      path: '/pages/{pageId}/sync',
      handler: async (event) => jsonResponse(202, await requestSync(deps.control, pageOnly(event))),
    },
  ];
}

/**
 * Every route of one Page checks the Page id's form and the caller's access to it before its handler
 * runs, so that no route can forget either and a caller without access learns nothing else (not even
 * whether the Page is registered).
 */
function guardPageRoutes(
  table: ReturnType<typeof routes>,
  pageIdsClaim: string | undefined,
): ReturnType<typeof routes> {
  return table.map((route) =>
    route.path.includes(`{${PAGE_ID_PARAMETER.name}}`)
      ? {
          ...route,
          handler: async (event: APIGatewayProxyEventV2) => {
            requirePageAccess(pageAccessOf(event, pageIdsClaim), readPageId(event.pathParameters));
            return route.handler(event);
          },
        }
      : route,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles route templates once, to tell "no such route" (404) from "not this method" (405). */
function methodsByPath(table: ReadonlyArray<{ method: Method; path: string }>) {
  const patterns = table.map(({ method, path }) => ({
    method,
    // The template is data: escape every character a RegExp reads (`.` in /openapi.json), then let
    // each `{name}` stand for one path segment.
    pattern: new RegExp(`^${escapeRegExp(path).replace(/\\\{[^/]+?\\\}/g, '[^/]+')}/?$`),
  }));
  return (path: string) => patterns.filter(({ pattern }) => pattern.test(path)).map(({ method }) => method);
}

/**
 * Maps every outcome to the contract: errors to JSON answers in one place, one access-log line per
 * request with its request id. Never logs the query string or headers: they may carry user ids and
 * cursors, and a mistaken caller may send a token.
 */
function httpEdge(
  deps: ApiDependencies,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const started = new WeakMap<object, number>();
  const log = (event: APIGatewayProxyEventV2, context: Context, response: HttpResponse) => {
    deps.logger.info('request', {
      request_id: event.requestContext?.requestId,
      aws_request_id: context?.awsRequestId,
      method: event.requestContext?.http?.method,
      path: event.rawPath,
      status: response.statusCode,
      latency_ms: Date.now() - (started.get(event) ?? Date.now()),
    });
  };
  return {
    before: (request) => {
      started.set(request.event, Date.now());
    },
    after: (request) => {
      if (request.response) log(request.event, request.context, request.response);
    },
    onError: (request) => {
      const error = request.error;
      if (!isProductError(error)) {
        deps.logger.error('unhandled error', {
          request_id: request.event?.requestContext?.requestId,
          error,
        });
      }
      request.response = errorResponse(error, deps.now());
      countErrorAnswer(deps.metrics, error);
      log(request.event, request.context, request.response);
    },
  };
}

/**
 * When the Lambda's time is about to run out, middy stops waiting for the route this long before the
 * deadline, leaving time to answer and log. Its default error is a bug-like 500; a request that ran
 * out of time (usually waiting for Graph) is a timeout the caller may retry: 504 upstream_timeout.
 */
const ANSWER_MARGIN_MS = 500;

/**
 * The API's Lambda handler: router, then the edge middleware that shapes every outcome. `outer`
 * middlewares (the entry point's logger context and metrics) wrap everything, so that they publish
 * after the edge has made the answer and counted it.
 */
export function createApiHandler(deps: ApiDependencies, outer: readonly LambdaMiddleware[] = []) {
  const table = guardPageRoutes(routes(deps), deps.pageIdsClaim);
  const allowedMethods = methodsByPath(table);
  const router = httpRouterHandler<APIGatewayProxyEventV2, HttpResponse>({
    routes: table as Array<Route<APIGatewayProxyEventV2, HttpResponse>>,
    notFoundResponse: ({ path }) => {
      const allowed = allowedMethods(path);
      if (allowed.length > 0) throw new MethodNotAllowedError(allowed);
      throw new RouteNotFoundError(`No route for ${path}.`);
    },
  });
  const handler = middy<APIGatewayProxyEventV2, HttpResponse>(router, {
    timeoutEarlyInMillis: ANSWER_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new UpstreamTimeoutError(
        'The request did not finish within the time this API allows; it may succeed if retried.',
      );
    },
  });
  for (const middleware of outer) handler.use(middleware);
  return handler.use(httpEdge(deps));
}
