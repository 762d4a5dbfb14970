import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApiDocument } from '#lib/http/openapi.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { answerChecker, fetched } from './support/openapi-validator.js';
import { pathOf } from './support/truth.js';

const PAGE = DEMO_PAGE_IDS[0];
// The errors test leaves PAGE throttled (Graph code 613); later tests read a page it did not touch.
const FRESH = DEMO_PAGE_IDS[2];
const CONVERSATIONS = '/pages/{pageId}/conversations';
const SYNC = '/pages/{pageId}/sync';

describe('the OpenAPI document is true to what the API answers', () => {
  let harness: Harness;
  const check = answerChecker();
  const call = async (path: string, init?: RequestInit) => fetched(await harness.call(path, init));
  beforeAll(async () => {
    harness = await startHarness();
    // The sync routes answer for registered Pages only, as deployments register them.
    for (const pageId of harness.emulator.pages.keys())
      await harness.services.registry.register({ pageId, token: { kind: 'page-secret' } });
  });
  afterAll(() => harness.close());

  test('GET /openapi.json serves the document itself, valid against its own answer schema', async () => {
    // Act
    const answer = await call('/openapi.json');
    // Assess
    expect(check('/openapi.json', 'get', answer)).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  test('GET /health', async () => {
    check('/health', 'get', await call('/health'));
  });

  test('conversations: a first page, a next page and each documented error', async () => {
    const first = await harness.call(`/pages/${PAGE}/conversations?limit=3`);
    check(CONVERSATIONS, 'get', fetched(first));
    check(CONVERSATIONS, 'get', await call(pathOf((first.body as { paging: { next: string } }).paging.next)));
    const graphError = (code: number) => () =>
      harness.emulator.inject({
        kind: 'graph-error',
        status: 400,
        error: { message: 'x', type: 'OAuthException', code },
      });
    const scenarios: Array<[string, () => void]> = [
      [`/pages/${PAGE}/conversations?limit=0`, () => undefined],
      [`/pages/${PAGE}/conversations?after=${'A'.repeat(22)}a`, () => undefined],
      ['/pages/12345/conversations', () => undefined],
      [`/pages/${PAGE}/conversations?folder=spam`, graphError(200)],
      [`/pages/${PAGE}/conversations?folder=spam`, graphError(190)],
      [`/pages/${PAGE}/conversations?folder=spam`, graphError(613)],
    ];
    const statuses = new Set<number>();
    for (const [path, prepare] of scenarios) {
      prepare();
      const answer = await call(path);
      statuses.add(answer.status);
      check(CONVERSATIONS, 'get', answer);
      if (answer.status === 429) expect(Number(answer.header('retry-after'))).toBeGreaterThan(0);
    }
    expect([...statuses].sort()).toEqual([400, 403, 404, 429, 502]);
  });

  test.each([
    ['platform', 'MESSENGER'],
    ['platform', 'Instagram'],
    ['folder', 'INBOX'],
    ['folder', 'Page_Done'],
  ])('%s=%s in another case is accepted, as the any-case pattern says', async (name, value) => {
    // Act
    const answer = await call(`/pages/${FRESH}/conversations?${name}=${value}&limit=1`);
    // Assess
    expect(answer.status).toBe(200);
    check(CONVERSATIONS, 'get', answer);
  });

  test('sync: start, state after a run, and the index route with synced_at in date-time', async () => {
    // Act
    const started = await call(`/pages/${FRESH}/sync`, { method: 'POST' });
    await harness.services.runner?.idle();
    const state = await call(`/pages/${FRESH}/sync`);
    const indexed = await call(
      `/pages/${FRESH}/conversations?updated_since=2004-01-01T00:00:00%2B0000&limit=2`,
    );
    // Assess
    check(SYNC, 'post', started);
    const body = check(SYNC, 'get', state) as {
      partitions: Array<{ high_water_mark: string | null; last_run: { outcome: string } | null }>;
    };
    expect(
      body.partitions.some((p) => p.high_water_mark !== null && p.last_run?.outcome === 'complete'),
    ).toBe(true);
    const page = check(CONVERSATIONS, 'get', indexed) as { synced_at: string | null; paging?: unknown };
    expect(page.synced_at).not.toBeNull();
    expect(page.paging).toBeDefined();
  });

  test.each([
    ['/pages/12345/sync', 'get', 404],
    [`/pages/${FRESH}/sync?limit=1`, 'get', 400],
    [`/pages/${FRESH}/sync?limit=1`, 'post', 400],
    ['/pages/not-digits/sync', 'get', 400],
  ])('%s (%s) answers %i as documented', async (path, method, status) => {
    // Act
    const answer = await call(path, { method: method.toUpperCase() });
    // Assess
    expect(answer.status).toBe(status);
    check(SYNC, method, answer);
  });

  test('a wrong method is 405 with Allow, documented on that path', async () => {
    // Act
    const answer = await call(`/pages/${PAGE}/sync`, { method: 'DELETE' });
    // Assess
    expect(answer.status).toBe(405);
    expect(answer.header('allow')).toBe('GET, POST');
    check(SYNC, 'get', answer);
  });

  // Last in this file: a hang may outlive the answer's retries and must not meet another test.
  test('a Graph that does not answer is 504 upstream_timeout, as documented', async () => {
    // Prepare
    harness.emulator.inject({ kind: 'hang', times: 5 });
    // Act
    const answer = await call(`/pages/${DEMO_PAGE_IDS[1]}/conversations`);
    // Assess
    expect(answer.status).toBe(504);
    check(CONVERSATIONS, 'get', answer);
  });
});
