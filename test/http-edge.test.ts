import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_PATH } from '#lib/domain/routes.js';
import { type ApiDependencies, createApiHandler } from '#lib/http/api-handler.js';
import type { HttpResponse } from '#lib/http/responses.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { InProcessRefreshQueue } from '#lib/webhooks/in-process-refresh-queue.js';
import type { WebhookSecretSource } from '#lib/webhooks/webhook-secrets.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { recordingLogger } from './support/harness.js';

/**
 * The API's function and the webhook receiver share one HTTP edge (lib/http/http-edge.ts): the same
 * access-log line, the same 404 and 405, the same plain 500 for a fault of ours. Each case runs through
 * both handlers; only routes that touch no store run, so no store is built.
 */

const NOW = () => new Date('2026-11-20T10:00:00Z');
const SECRETS = { appSecret: 'edge-test-app-secret-value', verifyToken: 'edge-test-verify-token-value' };

type Handler = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

function handlerOf(
  lambda: 'api' | 'webhook-receiver',
  options: { secrets?: WebhookSecretSource } = {},
): { call: Handler; lines: () => Array<Record<string, unknown>> } {
  const logger = recordingLogger();
  const context = lambdaContext(lambda);
  const handler =
    lambda === 'api'
      ? // Only the edge and /health run here, which read none of the services.
        createApiHandler({ logger, now: NOW } as unknown as ApiDependencies)
      : createWebhookHandler({
          secrets: options.secrets ?? { get: async () => SECRETS },
          queue: new InProcessRefreshQueue(logger),
          logger,
          now: NOW,
        });
  return {
    call: (event) => handler(event, context) as Promise<HttpResponse>,
    lines: () => logger.lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function request(method: string, path: string, rawQueryString = ''): APIGatewayProxyEventV2 {
  const event = apiGatewayEvent(path, { rawQueryString });
  return {
    ...event,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method } },
  };
}

const bodyOf = (response: HttpResponse) => JSON.parse(response.body) as { error: Record<string, unknown> };

describe('the HTTP edge both functions share', () => {
  it.each([['api'], ['webhook-receiver']] as const)(
    '%s: a path no route has is 404 not_found',
    async (lambda) => {
      // Act
      const response = await handlerOf(lambda).call(request('GET', '/nowhere'));
      // Assess
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response).error.code).toBe('not_found');
    },
  );

  it.each([
    ['api', '/health', 'GET'],
    ['webhook-receiver', WEBHOOK_PATH, 'GET, POST'],
  ] as const)('%s: another method on %s is 405 with Allow: %s', async (lambda, path, allow) => {
    // Act
    const response = await handlerOf(lambda).call(request('DELETE', path));
    // Assess
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe(allow);
    expect(bodyOf(response).error.code).toBe('method_not_allowed');
  });

  it.each([
    ['api', '/health', 'token=never-logged-query', 200],
    ['webhook-receiver', WEBHOOK_PATH, 'hub.mode=subscribe&hub.verify_token=never-logged-query', 403],
  ] as const)(
    '%s: one access-log line of the same fields, never the query',
    async (lambda, path, query, status) => {
      // Prepare
      const handler = handlerOf(lambda);
      const event = request('GET', path, query);
      // Act
      const response = await handler.call(event);
      // Assess
      expect(response.statusCode).toBe(status);
      const accessLines = handler.lines().filter((line) => line.message === 'request');
      expect(accessLines).toHaveLength(1);
      const [line] = accessLines as [Record<string, unknown>];
      expect(Object.keys(line).sort()).toEqual(
        ['level', 'message', 'request_id', 'aws_request_id', 'method', 'path', 'status', 'latency_ms'].sort(),
      );
      expect(line).toMatchObject({ request_id: event.requestContext.requestId, method: 'GET', path, status });
      expect(JSON.stringify(handler.lines())).not.toContain('never-logged-query');
    },
  );

  it('answers a fault of ours 500 internal_error, logging it with the request id and showing nothing', async () => {
    // Prepare: the secret store fails in a way no product error describes.
    const handler = handlerOf('webhook-receiver', {
      secrets: { get: () => Promise.reject(new Error('the secret store is on fire')) },
    });
    const event = request('GET', WEBHOOK_PATH, 'hub.mode=subscribe');
    // Act
    const response = await handler.call(event);
    // Assess
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response).error).toEqual({
      code: 'internal_error',
      message: 'An internal error occurred.',
    });
    expect(response.body).not.toContain('on fire');
    const unhandled = handler.lines().find((line) => line.message === 'unhandled error');
    expect(unhandled?.request_id).toBe(event.requestContext.requestId);
    expect(handler.lines().filter((line) => line.message === 'request')).toHaveLength(1);
  });
});
