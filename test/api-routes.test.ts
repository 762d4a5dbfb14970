import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';

const PAGE = DEMO_PAGE_IDS[0];
type ErrorAnswer = { error: { code: string; message: string } };

describe('routes are matched literally', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test.each(['/openapiXjson', '/openapi-json', '/healthX', '/pagesX'])(
    '%s is no route: 404 not_found, not 405',
    async (path) => {
      // Act
      const answer = await harness.call(path);
      // Assess
      expect(answer.status).toBe(404);
      expect((answer.body as ErrorAnswer).error.code).toBe('not_found');
      expect(answer.headers.get('allow')).toBeNull();
    },
  );

  test('a wrong method on a real route is still 405 with Allow', async () => {
    const answer = await harness.call('/openapi.json', { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET');
  });
});

describe('a Graph answer over the size cap', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test('is 502 upstream_error after one call, saying what was wrong', async () => {
    // Prepare: a well-formed JSON answer of 6 MB, over the 5 MB cap.
    const huge = JSON.stringify({
      data: [{ id: 't_1', updated_time: '2026-11-20T10:00:00+0000', snippet: 'x'.repeat(6 * 1024 * 1024) }],
    });
    harness.emulator.resetCalls();
    harness.emulator.inject({
      kind: 'http',
      pageId: PAGE,
      status: 200,
      body: huge,
      contentType: 'application/json',
      times: 3,
    });
    // Act
    const answer = await harness.call(`/pages/${PAGE}/conversations`);
    // Assess
    expect(answer.status).toBe(502);
    const error = (answer.body as ErrorAnswer).error;
    expect(error.code).toBe('upstream_error');
    expect(error.message).toMatch(/5 MB/);
    expect(error.message).not.toMatch(/connection/i);
    expect(harness.emulator.callCount()).toBe(1);
  });
});
