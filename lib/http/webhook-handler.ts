import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { RouteNotFoundError } from '../domain/errors.js';
import { type HandlerKey, routesOf } from '../domain/routes.js';
import type { DataDeletionAnswer, DataDeletionStatus } from '../domain/shapes/privacy.js';
import {
  type DataDeletionDependencies,
  dataDeletionStatus,
  requestDataDeletion,
} from '../privacy/data-deletion.js';
import { type ReceiverDependencies, receiveDelivery, verifySubscription } from '../webhooks/receiver.js';
import { createHttpHandler, type HttpHandler, type LambdaMiddleware } from './http-edge.js';
import { jsonResponse } from './responses.js';
import { selfBaseUrl } from './self-url.js';

/** The receiver's collaborators, with Meta's data-deletion callback (its other public routes). */
export interface PublicRouteDependencies extends ReceiverDependencies {
  /** Meta's Data Deletion Request Callback; without it its routes answer 404 (tests of webhooks only). */
  dataDeletion?: DataDeletionDependencies | undefined;
  /** `PUBLIC_BASE_URL`, for the status URL the callback answers with. */
  publicBaseUrl?: string | undefined;
}

/** The body's bytes exactly as Meta sent them: API Gateway base64-encodes some content types. */
function bodyBytes(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** The handler of each route the webhook receiver serves, by its key in the route table. */
function handlers(deps: PublicRouteDependencies): Record<HandlerKey<'webhook-receiver'>, HttpHandler> {
  const deletion = (): DataDeletionDependencies => {
    if (deps.dataDeletion === undefined) throw new RouteNotFoundError('Data deletion is not served here.');
    return deps.dataDeletion;
  };
  return {
    verifyWebhookSubscription: async (event) => {
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
    receiveWebhook: async (event) => {
      await receiveDelivery(deps, {
        body: bodyBytes(event),
        signature: event.headers?.['x-hub-signature-256'],
        contentEncoding: event.headers?.['content-encoding'],
      });
      return jsonResponse(200, { status: 'received' });
    },
    requestDataDeletion: async (event) => {
      const answer: DataDeletionAnswer = await requestDataDeletion(
        deletion(),
        bodyBytes(event).toString('utf8'),
        selfBaseUrl(event, deps.publicBaseUrl),
      );
      return jsonResponse(200, answer);
    },
    getDataDeletionStatus: async (event) => {
      const status: DataDeletionStatus = await dataDeletionStatus(
        deletion(),
        event.pathParameters?.code ?? '',
      );
      return jsonResponse(200, status);
    },
  };
}

/**
 * The webhook receiver's Lambda handler (its rows of the route table): its own function, so that the
 * public, unauthenticated routes run with a role that can only read the webhook secret and enqueue.
 * `outer` middlewares wrap everything, as for the API (`createApiHandler`).
 */
export function createWebhookHandler(deps: PublicRouteDependencies, outer: readonly LambdaMiddleware[] = []) {
  return createHttpHandler(
    routesOf('webhook-receiver'),
    handlers(deps),
    { logger: deps.logger, now: deps.now, metrics: deps.metrics },
    outer,
  );
}
