import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';

const PAGE = DEMO_PAGE_IDS[0];
type ErrorAnswer = { error: { code: string; message: string; parameter?: string } };

describe('request validation', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test.each([
    ['pageId', '/pages/abc/conversations'],
    ['pageId', '/pages/12a4/conversations'],
    ['platform', `/pages/${PAGE}/conversations?platform=whatsapp`],
    ['platform', `/pages/${PAGE}/conversations?platform=`],
    ['folder', `/pages/${PAGE}/conversations?folder=archive`],
    ['user_id', `/pages/${PAGE}/conversations?user_id=abc`],
    ['limit', `/pages/${PAGE}/conversations?limit=0`],
    ['limit', `/pages/${PAGE}/conversations?limit=101`],
    ['limit', `/pages/${PAGE}/conversations?limit=1.5`],
    ['limit', `/pages/${PAGE}/conversations?limit=ten`],
    ['fields', `/pages/${PAGE}/conversations?fields=id,bogus`],
    ['fields', `/pages/${PAGE}/conversations?fields=id,,snippet`],
    ['fields', `/pages/${PAGE}/conversations?platform=instagram&fields=snippet`],
    ['before', `/pages/${PAGE}/conversations?after=x&before=y`],
    ['after', `/pages/${PAGE}/conversations?after=`],
    ['access_token', `/pages/${PAGE}/conversations?access_token=abc`],
    ['limit', `/pages/${PAGE}/conversations?limit=1&limit=2`],
    ['updated_since', `/pages/${PAGE}/conversations?updated_since=yesterday`],
    ['updated_since', `/pages/${PAGE}/conversations?updated_since=2026-11-20T10:00:00`],
    ['user_id', `/pages/${PAGE}/conversations?updated_since=2026-11-20T10:00:00Z&user_id=1`],
    ['fields', `/pages/${PAGE}/conversations?updated_since=2026-11-20T10:00:00Z&fields=name`],
  ])('a bad %s is a 400 naming it, and calls nothing (%s)', async (parameter, path) => {
    // Prepare
    const callsBefore = harness.emulator.callCount();
    // Act
    const { status, body, headers } = await harness.call(path);
    // Assess
    expect(status).toBe(400);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect((body as ErrorAnswer).error).toMatchObject({ code: 'invalid_request', parameter });
    expect(harness.emulator.callCount()).toBe(callsBefore);
  });

  test('platform and folder take any case', async () => {
    const { status } = await harness.call(
      `/pages/${PAGE}/conversations?platform=Instagram&folder=INBOX&limit=1`,
    );
    expect(status).toBe(200);
    expect(harness.emulator.calls.at(-1)?.params).toMatchObject({ platform: 'INSTAGRAM', folder: 'inbox' });
  });

  test('a page with no token is 404 unknown_page, without a Graph call', async () => {
    const callsBefore = harness.emulator.callCount();
    const { status, body } = await harness.call('/pages/999999/conversations');
    expect(status).toBe(404);
    expect((body as ErrorAnswer).error.code).toBe('unknown_page');
    expect(harness.emulator.callCount()).toBe(callsBefore);
  });

  test('an unknown route is a JSON 404', async () => {
    const { status, body } = await harness.call('/nope');
    expect(status).toBe(404);
    expect((body as ErrorAnswer).error.code).toBe('not_found');
  });

  test('a wrong method is a JSON 405 with Allow', async () => {
    const { status, body, headers } = await harness.call(`/pages/${PAGE}/conversations`, {
      method: 'DELETE',
    });
    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('GET');
    expect((body as ErrorAnswer).error.code).toBe('method_not_allowed');
  });

  test('/health answers ok and touches no dependency', async () => {
    const callsBefore = harness.emulator.callCount();
    const { status, body } = await harness.call('/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
    expect(harness.emulator.callCount()).toBe(callsBefore);
  });

  test('arbitrary query strings and path ids never get a 5xx, always JSON, never a token', async () => {
    const token = harness.emulator.pages.get(PAGE)?.accessToken as string;
    const names = fc.constantFrom(
      'platform',
      'folder',
      'user_id',
      'limit',
      'fields',
      'after',
      'before',
      'updated_since',
      'x',
      '',
    );
    const query = fc.array(fc.tuple(names, fc.string({ maxLength: 30 })), { maxLength: 5 });
    const pageId = fc.oneof(
      fc.constant(PAGE),
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.string({ minLength: 1, maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(pageId, query, async (id, pairs) => {
        const search = new URLSearchParams(pairs).toString();
        const { status, headers, text } = await harness.call(
          `/pages/${encodeURIComponent(id)}/conversations?${search}`,
        );
        expect(status).toBeLessThan(500);
        expect(headers.get('content-type')).toMatch(/^application\/json/);
        expect(() => JSON.parse(text)).not.toThrow();
        expect(text).not.toContain(token);
      }),
      { numRuns: 150 },
    );
  });
});
