import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isProductError } from '../domain/error-body.js';
import { MethodNotAllowedError, RouteNotFoundError, UpstreamTimeoutError } from '../domain/errors.js';
import { pathMatches, type RouteSpec } from '../domain/routes.js';
import { countErrorAnswer } from '../telemetry/error-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { ProductMetrics } from '../telemetry/product-metrics.js';
import { errorResponse } from './error-response.js';
import type { HttpResponse } from './responses.js';

/**
 * The HTTP edge both Lambda functions share (the API's and the webhook receiver's): the router built
 * from their rows of the route table, and one middleware that shapes every outcome.
 */

/** One route's handler: the event in, the answer out; an error is mapped by the edge. */
export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** A middleware an entry point wraps around an HTTP handler (Powertools' logger context, metrics). */
export type LambdaMiddleware = MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context>;

export interface HttpEdgeOptions {
  logger: Logger;
  now: () => Date;
  /** Counts answers the contract names (invalid_cursor, unavailable); nothing unless given. */
  metrics?: ProductMetrics | undefined;
  /**
   * When the Lambda's time is about to run out, stop waiting for the route this long before the
   * deadline and answer `504 upstream_timeout`, leaving time to answer and log: a request that ran out
   * of time (usually waiting for Graph) is a timeout the caller may retry, not middy's bug-like 500.
   * Unset: no early answer (the webhook receiver calls no Graph and answers in milliseconds).
   */
  answerMarginMs?: number | undefined;
}

/**
 * Maps every outcome to the contract: errors to JSON answers in one place, one access-log line per
 * request with its request id and latency. Never logs the query string, headers or body: they may carry
 * user ids, cursors and signatures, and a mistaken caller may send a token.
 */
function httpEdge({ logger, now, metrics }: HttpEdgeOptions): LambdaMiddleware {
  const started = new WeakMap<object, number>();
  const log = (event: APIGatewayProxyEventV2, context: Context, response: HttpResponse) => {
    logger.info('request', {
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
        logger.error('unhandled error', { request_id: request.event?.requestContext?.requestId, error });
      }
      request.response = errorResponse(error, now());
      countErrorAnswer(metrics, error);
      log(request.event, request.context, request.response);
    },
  };
}

/** The methods the routes answer on a path, to tell "no such route" (404) from "not this method" (405). */
function methodsByPath(routes: readonly Pick<RouteSpec, 'method' | 'path'>[]) {
  return (path: string) =>
    routes.filter((route) => pathMatches(route.path, path)).map(({ method }) => method);
}

/**
 * A Lambda handler serving the given rows of the route table, each by its handler in `handlers`, then
 * the edge that shapes every outcome. `outer` middlewares (the entry point's logger context and
 * metrics) wrap everything, so that they publish after the edge has made the answer and counted it.
 */
export function createHttpHandler<K extends string>(
  routes: readonly (Pick<RouteSpec, 'method' | 'path'> & { handler: K })[],
  handlers: Readonly<Record<K, HttpHandler>>,
  options: HttpEdgeOptions,
  outer: readonly LambdaMiddleware[] = [],
) {
  const allowedMethods = methodsByPath(routes);
  const router = httpRouterHandler<APIGatewayProxyEventV2, HttpResponse>({
    routes: routes.map(({ method, path, handler }) => ({
      method: method as Method,
      path,
      handler: handlers[handler],
    })) as Array<Route<APIGatewayProxyEventV2, HttpResponse>>,
    notFoundResponse: ({ path }) => {
      const allowed = allowedMethods(path);
      if (allowed.length > 0) throw new MethodNotAllowedError(allowed);
      throw new RouteNotFoundError(`No route for ${path}.`);
    },
  });
  const handler = middy<APIGatewayProxyEventV2, HttpResponse>(
    router,
    options.answerMarginMs === undefined
      ? {}
      : {
          timeoutEarlyInMillis: options.answerMarginMs,
          timeoutEarlyResponse: () => {
            throw new UpstreamTimeoutError(
              'The request did not finish within the time this API allows; it may succeed if retried.',
            );
          },
        },
  );
  for (const middleware of outer) handler.use(middleware);
  return handler.use(httpEdge(options));
}
