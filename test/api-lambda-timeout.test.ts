import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHandler } from '#lib/http/api-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';

const PAGE = DEMO_PAGE_IDS[0];

/** The event API Gateway sends for `GET /pages/{PAGE}/conversations`. */
const conversationsEvent = () => apiGatewayEvent(`/pages/${PAGE}/conversations`);

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
