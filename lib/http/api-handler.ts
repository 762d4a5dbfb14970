import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ChangesDependencies, listChanges } from '../conversations/list-changes.js';
import { type ConversationsDependencies, listConversations } from '../conversations/list-conversations.js';
import { type IndexedDependencies, listIndexedConversations } from '../conversations/list-indexed.js';
import { type HandlerKey, routesOf } from '../domain/routes.js';
import { getPage, listPages, type PageListingDependencies } from '../pages/page-listing.js';
import { readSyncStatus, requestSync, type SyncControlDependencies } from '../sync/sync-control.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { changesBody } from './changes-body.js';
import { conversationsBody } from './conversations-body.js';
import { createHttpHandler, type HttpHandler, type LambdaMiddleware } from './http-edge.js';
import { openApiDocument } from './openapi.js';
import { pageAccessOf, requirePageAccess } from './page-access.js';
import { pagesBody } from './pages-body.js';
import { PAGE_ID_PARAMETER } from './path-parameters.js';
import {
  parseChangesRequest,
  parseConversationsRequest,
  parsePagesRequest,
  parseSyncStartRequest,
  readPageId,
  readQuery,
} from './request-params.js';
import { jsonResponse } from './responses.js';
import { selfBaseUrl } from './self-url.js';

export interface ApiDependencies {
  conversations: ConversationsDependencies;
  indexed: IndexedDependencies;
  /** `GET /pages/{pageId}/changes`: the changes feed and the registry. */
  changes: ChangesDependencies;
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

const NO_PARAMS: ReadonlySet<string> = new Set();

/** The page id of a route that takes no query parameters, which it refuses like any unknown one. */
function pageOnly(event: APIGatewayProxyEventV2): string {
  const pageId = readPageId(event.pathParameters);
  readQuery(event.rawQueryString, NO_PARAMS);
  return pageId;
}

/** The handler of each route the API function serves, by its key in the route table. */
function handlers(deps: ApiDependencies): Record<HandlerKey<'api'>, HttpHandler> {
  // Built on the first request for it, not at cold start: no other route needs the document.
  let openApi: string | undefined;
  return {
    health: async () => jsonResponse(200, { status: 'ok' }),
    openApi: async () => {
      openApi ??= JSON.stringify(openApiDocument());
      return { ...jsonResponse(200, null), body: openApi };
    },
    listPages: async (event) => {
      const request = parsePagesRequest(event.rawQueryString);
      const access = pageAccessOf(event, deps.pageIdsClaim);
      const listing = await listPages(
        deps.pages,
        request,
        access.kind === 'listed' ? access.pageIds : undefined,
      );
      return jsonResponse(200, pagesBody(listing, request.limit, selfBaseUrl(event, deps.publicBaseUrl)));
    },
    getPage: async (event) => jsonResponse(200, await getPage(deps.pages, pageOnly(event))),
    listConversations: async (event) => {
      const request = parseConversationsRequest(event.pathParameters, event.rawQueryString);
      const base = selfBaseUrl(event, deps.publicBaseUrl);
      if (request.source === 'graph') {
        const batch = await listConversations(deps.conversations, request);
        return jsonResponse(200, conversationsBody(request, batch, base));
      }
      const batch = await listIndexedConversations(deps.indexed, request);
      return jsonResponse(200, conversationsBody(request, batch, base, batch.syncedAt));
    },
    listChanges: async (event) => {
      const request = parseChangesRequest(event.pathParameters, event.rawQueryString);
      const batch = await listChanges(deps.changes, request);
      return jsonResponse(200, changesBody(request, batch, selfBaseUrl(event, deps.publicBaseUrl)));
    },
    getSyncState: async (event) => jsonResponse(200, await readSyncStatus(deps.control, pageOnly(event))),
    startSync: async (event) => {
      const pageId = readPageId(event.pathParameters);
      const { full } = parseSyncStartRequest(event.rawQueryString);
      return jsonResponse(202, await requestSync(deps.control, pageId, { full }));
    },
  };
}

/**
 * Every route of one Page checks the Page id's form and the caller's access to it before its handler
 * runs, so that no route can forget either and a caller without access learns nothing else (not even
 * whether the Page is registered).
 */
function guardPageRoutes(
  byKey: Record<HandlerKey<'api'>, HttpHandler>,
  pageIdsClaim: string | undefined,
): Record<HandlerKey<'api'>, HttpHandler> {
  const guarded = { ...byKey };
  for (const route of routesOf('api')) {
    if (!route.path.includes(`{${PAGE_ID_PARAMETER}}`)) continue;
    const handler = byKey[route.handler];
    guarded[route.handler] = async (event) => {
      requirePageAccess(pageAccessOf(event, pageIdsClaim), readPageId(event.pathParameters));
      return handler(event);
    };
  }
  return guarded;
}

/** middy stops waiting for a route this long before the Lambda's deadline (see `HttpEdgeOptions`). */
const ANSWER_MARGIN_MS = 500;

/**
 * The API's Lambda handler: the API function's rows of the route table, then the edge middleware that
 * shapes every outcome. `outer` middlewares (the entry point's logger context and metrics) wrap
 * everything, so that they publish after the edge has made the answer and counted it.
 */
export function createApiHandler(deps: ApiDependencies, outer: readonly LambdaMiddleware[] = []) {
  return createHttpHandler(
    routesOf('api'),
    guardPageRoutes(handlers(deps), deps.pageIdsClaim),
    { logger: deps.logger, now: deps.now, metrics: deps.metrics, answerMarginMs: ANSWER_MARGIN_MS },
    outer,
  );
}
