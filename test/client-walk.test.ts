import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ApiError,
  ApiUnreachableError,
  type Conversation,
  createPageConversationsClient,
  isApiError,
  type PageConversationsClient,
} from '#lib/client/index.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { graphTruth } from './support/truth.js';

const PAGE = DEMO_PAGE_IDS[0];
const THROTTLED_PAGE = DEMO_PAGE_IDS[1];

async function collect(iterable: AsyncIterable<Conversation>): Promise<string[]> {
  const ids: string[] = [];
  for await (const conversation of iterable) ids.push(conversation.id);
  return ids;
}

/** What a call threw, so that a test asserts on it outside any catch. */
async function failureOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('the typed client against the local API', () => {
  let harness: Harness;
  let client: PageConversationsClient;
  beforeAll(async () => {
    harness = await startHarness({ emulator: { shortPageEvery: 3 } });
    client = createPageConversationsClient({ baseUrl: harness.api.url, auth: { type: 'none' } });
  });
  afterAll(() => harness.close());

  test('health and the OpenAPI document', async () => {
    // Act
    const health = await client.health();
    const document = await client.openApi();
    // Assess
    expect(health).toEqual({ status: 'ok' });
    expect(document.openapi).toBe('3.1.0');
  });

  test.each([
    ['messenger', 'inbox', 7],
    ['instagram', 'other', 4],
  ] as const)(
    'walking %s/%s by after cursors yields every conversation Graph holds, in order (limit %i)',
    async (platform, folder, limit) => {
      // Prepare
      const truth = graphTruth(harness.emulator, PAGE, platform, folder).map((c) => c.id);
      // Act
      const seen = await collect(client.conversations(PAGE, { platform, folder, limit }));
      // Assess: more than two pages' worth, so the walk followed cursors.
      expect(truth.length).toBeGreaterThan(2 * limit);
      expect(seen).toEqual(truth);
    },
  );

  test('after a sync, walking updated_since yields the indexed conversations and getSync says complete', async () => {
    // Prepare: the sync routes answer for registered Pages only.
    await harness.services.registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
    const started = await client.startSync(PAGE);
    await harness.services.runner?.idle();
    const truth = graphTruth(harness.emulator, PAGE, 'messenger', 'inbox').map((c) => c.id);
    // Act
    const seen = await collect(
      client.conversations(PAGE, { updated_since: '2000-01-01T00:00:00Z', folder: 'inbox', limit: 9 }),
    );
    const state = await client.getSync(PAGE);
    // Assess
    expect(started).toEqual({ page_id: PAGE, status: 'started' });
    expect(seen).toEqual(truth);
    const inbox = state.partitions.find((p) => p.platform === 'messenger' && p.folder === 'inbox');
    expect(inbox?.last_run?.outcome).toBe('complete');
    expect(inbox?.indexed_conversations).toBe(truth.length);
  });

  test('pages() walks every registered Page by id, and getPage reads one', async () => {
    // Prepare: the demo Pages registered, as npm start registers them.
    for (const pageId of DEMO_PAGE_IDS)
      await harness.services.registry.register({
        pageId,
        name: `Page ${pageId}`,
        token: { kind: 'page-secret' },
      });
    // Act
    const ids: string[] = [];
    for await (const page of client.pages({ limit: 2 })) ids.push(page.page_id);
    const one = await client.getPage(PAGE);
    const missing = await failureOf(() => client.getPage('999999999999999'));
    // Assess
    expect(ids).toEqual([...DEMO_PAGE_IDS].sort());
    expect(one).toMatchObject({ page_id: PAGE, name: `Page ${PAGE}` });
    expect(missing).toMatchObject({ status: 404, code: 'unknown_page' });
  });

  test('a bad parameter is an ApiError with code invalid_request, the parameter and the status', async () => {
    // Act
    const error = await failureOf(() => client.listConversations(PAGE, { limit: 101 }));
    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', parameter: 'limit' });
    expect(isApiError(error, 'invalid_request')).toBe(true);
    expect(isApiError(error, 'invalid_cursor')).toBe(false);
  });

  test('a tampered cursor is invalid_cursor, and an unknown page unknown_page (404)', async () => {
    // Act
    const cursorError = await failureOf(() =>
      client.listConversations(PAGE, { after: `${'A'.repeat(22)}a` }),
    );
    const pageError = await failureOf(() => client.getSync('999999999999999'));
    // Assess
    expect(cursorError).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(pageError).toMatchObject({ status: 404, code: 'unknown_page' });
  });

  test("Graph's refusal carries Graph's code under graph; a throttle carries Retry-After seconds", async () => {
    // Prepare
    harness.emulator.inject({
      kind: 'graph-error',
      pageId: PAGE,
      times: 1,
      status: 403,
      error: { message: 'Permissions error', type: 'OAuthException', code: 10 },
    });
    harness.emulator.inject({
      kind: 'graph-error',
      pageId: THROTTLED_PAGE,
      times: 1,
      status: 403,
      error: { message: 'Application request limit reached', type: 'OAuthException', code: 4 },
      headers: {
        'x-business-use-case-usage': JSON.stringify({
          [THROTTLED_PAGE]: [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 5 }],
        }),
      },
    });
    // Act
    const denied = await failureOf(() => client.listConversations(PAGE, { limit: 1 }));
    const throttled = await failureOf(() => client.listConversations(THROTTLED_PAGE, { limit: 1 }));
    // Assess
    expect(denied).toMatchObject({ status: 403, code: 'permission_denied', graph: { code: 10 } });
    expect(throttled).toMatchObject({ status: 429, code: 'rate_limited', graph: { code: 4 } });
    expect((throttled as ApiError).retryAfterSeconds).toBeGreaterThan(200);
    expect((throttled as ApiError).retryAfterSeconds).toBeLessThanOrEqual(300);
  });
});

describe('the typed client against what is not this API', () => {
  test("API Gateway's own refusal has no contract code and keeps its message", async () => {
    // Prepare: what API Gateway answers to an unsigned request, before any function runs.
    const gateway = createServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    const client = createPageConversationsClient({
      baseUrl: `http://127.0.0.1:${port}/prod`,
      auth: { type: 'none' },
    });
    try {
      // Act
      const error = await failureOf(() => client.health());
      // Assess
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 403, code: undefined, gatewayMessage: 'Forbidden' });
      expect(isApiError(error, 'forbidden')).toBe(false);
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  test('a closed port is ApiUnreachableError naming the refused connection', async () => {
    // Prepare: a port that was just free, now closed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const client = createPageConversationsClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: { type: 'none' },
    });
    // Act
    const error = await failureOf(() => client.health());
    // Assess
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  test.each([
    ['not a URL', 'not a URL'],
    ['ftp://example.com/', 'http(s)'],
    ['https://example.com/?stage=prod', 'query'],
  ])('a base URL of %j is refused when the client is built', (baseUrl, complaint) => {
    expect(() => createPageConversationsClient({ baseUrl, auth: { type: 'none' } })).toThrow(complaint);
  });
});
