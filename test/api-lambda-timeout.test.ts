import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHandler } from '#lib/http/api-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';

const PAGE = DEMO_PAGE_IDS[0];

/** The event API Gateway sends for `GET /pages/{PAGE}/conversations`. */
function conversationsEvent(): APIGatewayProxyEventV2 {
  const path = `/pages/${PAGE}/conversations`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

describe('a Lambda that runs out of time', () => {
  const logger = recordingLogger();
  let harness: Harness;
  beforeAll(async () => {
    // Graph's own deadline is far away: what ends this request is the Lambda's time limit.
    harness = await startHarness({
      logger,
      graph: { timeouts: { connectMs: 500, headersMs: 3_000, bodyMs: 3_000, totalMs: 3_000 } },
    });
  });
  afterAll(() => harness.close());

  test('answers 504 upstream_timeout, a timeout the caller may retry, not 500', async () => {
    // Prepare: Graph hangs, and the function has one second left.
    harness.emulator.inject({ kind: 'hang', pageId: PAGE, times: 1 });
    const handler = createApiHandler(harness.services.api);
    // Act
    const answer = await handler(conversationsEvent(), lambdaContext('api', 1_000));
    // Assess
    expect(answer.statusCode).toBe(504);
    expect(answer.headers?.['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('upstream_timeout');
    expect(body.error.message).toMatch(/time/);
    expect(logger.lines.some((line) => line.includes('"status":504'))).toBe(true);
  });
});
