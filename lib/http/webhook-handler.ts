import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isProductError } from '../domain/error-body.js';
import { MethodNotAllowedError, RouteNotFoundError } from '../domain/errors.js';
import { countErrorAnswer } from '../telemetry/error-metrics.js';
import { type ReceiverDependencies, receiveDelivery, verifySubscription } from '../webhooks/receiver.js';
import { errorResponse } from './error-response.js';
import { type HttpResponse, jsonResponse } from './responses.js';

export const WEBHOOK_PATH = '/webhooks/meta';

/** The body's bytes exactly as Meta sent them: API Gateway base64-encodes some content types. */
export function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function routes(deps: ReceiverDependencies) {
  return [
    {
      method: 'GET' as Method,
      path: WEBHOOK_PATH,
      handler: async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
        const challenge = await verifySubscription(deps, new URLSearchParams(event.rawQueryString ?? ''));
        return {
          statusCode: 200,
          // The challenge is echoed as sent: plain text that no browser may sniff into anything else.
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          },
          body: challenge,
        };
      },
    },
    {
      method: 'POST' as Method,
      path: WEBHOOK_PATH,
      handler: async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
        await receiveDelivery(deps, {
          body: bodyBytes(event),
          signature: event.headers?.['x-hub-signature-256'],
          contentEncoding: event.headers?.['content-encoding'],
        });
        return jsonResponse(200, { status: 'received' });
      },
    },
  ];
}

/** Every outcome in the contract's shape, one access-log line each; never the body or query (tokens). */
function edge({
  logger,
  now,
  metrics,
}: ReceiverDependencies): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  const log = (event: APIGatewayProxyEventV2, response: HttpResponse) =>
    logger.info('request', {
      request_id: event.requestContext?.requestId,
      method: event.requestContext?.http?.method,
      path: event.rawPath,
      status: response.statusCode,
    });
  return {
    after: (request) => {
      if (request.response) log(request.event, request.response);
    },
    onError: (request) => {
      if (!isProductError(request.error)) logger.error('unhandled error', { error: request.error });
      request.response = errorResponse(request.error, now());
      countErrorAnswer(metrics, request.error);
      log(request.event, request.response);
    },
  };
}

/**
 * The webhook receiver's Lambda handler (`GET`/`POST /webhooks/meta`): its own function, so that the
 * public, unauthenticated routes run with a role that can only read the webhook secret and enqueue.
 * `outer` middlewares wrap everything, as for the API (`createApiHandler`).
 */
export function createWebhookHandler(
  deps: ReceiverDependencies,
  outer: ReadonlyArray<MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context>> = [],
) {
  const table = routes(deps);
  const router = httpRouterHandler<APIGatewayProxyEventV2, HttpResponse>({
    routes: table as Array<Route<APIGatewayProxyEventV2, HttpResponse>>,
    notFoundResponse: ({ path }) => {
      if (path === WEBHOOK_PATH || path === `${WEBHOOK_PATH}/`)
        throw new MethodNotAllowedError(['GET', 'POST']);
      throw new RouteNotFoundError(`No route for ${path}.`);
    },
  });
  const handler = middy<APIGatewayProxyEventV2, HttpResponse>(router);
  for (const middleware of outer) handler.use(middleware);
  return handler.use(edge(deps));
}
