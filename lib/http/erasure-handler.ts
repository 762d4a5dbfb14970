import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HandlerKey, routesOf } from '../domain/routes.js';
import type { Erasure } from '../domain/shapes/privacy.js';
import { parseErasureRequest } from '../domain/shapes/privacy.js';
import { type ErasureDependencies, erasePerson } from '../privacy/erasure.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { createHttpHandler, type HttpHandler, type LambdaMiddleware } from './http-edge.js';
import { pageAccessOf, requirePageAccess } from './page-access.js';
import { readPageId, readQuery } from './request-params.js';
import { jsonResponse } from './responses.js';

export interface ErasureHttpDependencies {
  erasure: ErasureDependencies;
  logger: Logger;
  now: () => Date;
  metrics?: ProductMetrics | undefined;
  /** `JWT_PAGE_IDS_CLAIM`: as on the API's routes, a JWT caller reaches only the Pages its claim lists. */
  pageIdsClaim?: string | undefined;
}

const NO_PARAMS: ReadonlySet<string> = new Set();

/** The body's text: API Gateway base64-encodes some content types. */
function bodyText(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): string | undefined {
  if (event.body === undefined) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** The handler of each route the erasure function serves, by its key in the route table. */
function handlers(deps: ErasureHttpDependencies): Record<HandlerKey<'erasure'>, HttpHandler> {
  return {
    erasePerson: async (event) => {
      // The Page's form and the caller's access first, as on every route of one Page.
      const pageId = readPageId(event.pathParameters);
      requirePageAccess(pageAccessOf(event, deps.pageIdsClaim), pageId);
      readQuery(event.rawQueryString, NO_PARAMS);
      const { person_id: personId } = parseErasureRequest(bodyText(event));
      const result = await erasePerson(deps.erasure, pageId, personId);
      const body: Erasure = {
        page_id: result.pageId,
        person: result.person,
        conversations_removed: result.conversationsRemoved,
        erased_at: result.erasedAt.toISOString(),
      };
      return jsonResponse(200, body);
    },
  };
}

/**
 * The erasure function's Lambda handler for its rows of the route table: its own function, so that
 * the one route that rewrites the index on a caller's request runs with a role made for it (the API's
 * role writes no index item), granted separately (its own route ARN, the `erase` JWT scope).
 */
export function createErasureHandler(deps: ErasureHttpDependencies, outer: readonly LambdaMiddleware[] = []) {
  return createHttpHandler(
    routesOf('erasure'),
    handlers(deps),
    { logger: deps.logger, now: deps.now, metrics: deps.metrics },
    outer,
  );
}
