import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { metaWebhookBody } from '#lib/local/webhook-demo.js';
import { SQS_TIMEOUTS } from '#lib/runtime/sqs-client.js';
import { signBody } from '#lib/webhooks/signature.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { type BlackHole, startBlackHole } from './support/black-hole.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';

/**
 * The webhook receiver's own entry point (`functions/webhook-receiver.ts`) in front of an SQS that
 * accepts connections and never answers. The receiver must give up within its timeouts and answer 5xx,
 * so that Meta delivers again, rather than hang until Lambda's 10 s kill it: its SQS client has
 * connection and request timeouts that abort the call (`throwOnRequestTimeout`), and two attempts.
 */

const SECRET_ID = 'receiver-timeout/webhooks';
const APP_SECRET = 'receiver-timeout-app-secret';
const PAGE = '1000000000000001';
const PERSON = '2000000000000001';

describe('the webhook receiver when SQS does not answer', () => {
  let hole: BlackHole;
  let handler: (
    event: APIGatewayProxyEventV2,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  const secrets = fakeSecretsManager();

  beforeAll(async () => {
    hole = await startBlackHole();
    secrets.secrets.set(SECRET_ID, {
      value: JSON.stringify({ app_secret: APP_SECRET, verify_token: 'receiver-timeout-verify' }),
      version: 'v1',
    });
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDRECEIVERTEST',
      AWS_SECRET_ACCESS_KEY: 'receiver-test-secret',
      WEBHOOK_SECRET_ID: SECRET_ID,
      // The queue's URL and the SQS endpoint both name the black hole: the SDK may send to either.
      WEBHOOK_QUEUE_URL: `${hole.url}/111122223333/refresh`,
      AWS_ENDPOINT_URL_SQS: hole.url,
      // Required by the receiver (the data-deletion callback's queue); this test sends nothing to it.
      PRIVACY_QUEUE_URL: `${hole.url}/111122223333/erasure`,
      // Required too (the callback's status items); a delivery reads and writes no item.
      TABLE_NAME: 'receiver-timeout',
      DYNAMODB_ENDPOINT: hole.url,
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-receiver',
    });
    ({ handler } = await import('../functions/webhook-receiver.js'));
  });
  afterAll(async () => {
    secrets.mock.restore();
    await hole.close();
  });

  test('a signed delivery is answered 5xx after two timed-out attempts, not held until Lambda stops it', async () => {
    // Prepare
    const body = metaWebhookBody('page', [
      { accountId: PAGE, events: [{ personId: PERSON, timestamp: Date.now() }] },
    ]);
    const get = apiGatewayEvent('/webhooks/meta', {
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, APP_SECRET) },
    });
    const http = { ...get.requestContext.http, method: 'POST' };
    const event = { ...get, body, requestContext: { ...get.requestContext, http } };
    // Act
    const response = await handler(event, lambdaContext('webhook-receiver'));
    // Assess
    expect(response.statusCode).toBeGreaterThanOrEqual(500);
    expect(hole.requests).toBe(SQS_TIMEOUTS.maxAttempts);
    expect(SQS_TIMEOUTS.maxAttempts).toBe(2);
  });
});
