import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { GRAPH_CODES, GRAPH_ERROR_CLASSES } from '#lib/domain/graph-error-table.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { createLocalServices } from '#lib/local/local-services.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { FAST_GRAPH, type Harness, recordingLogger, startHarness, tokensOf } from './support/harness.js';

const PAGE = DEMO_PAGE_IDS[0];
type ErrorAnswer = {
  error: {
    code: string;
    message: string;
    retry_after_seconds?: number;
    graph?: { code?: number; error_subcode?: number; fbtrace_id?: string };
  };
};
const graphError = (
  code: number,
  extra: { error_subcode?: number; is_transient?: boolean; status?: number } = {},
) => ({
  kind: 'graph-error' as const,
  pageId: PAGE,
  status: extra.status ?? (code === 4 ? 403 : 400),
  error: {
    message: `(#${code}) emulated error`,
    type: 'OAuthException',
    code,
    ...(extra.error_subcode === undefined ? {} : { error_subcode: extra.error_subcode }),
    ...(extra.is_transient === undefined ? {} : { is_transient: extra.is_transient }),
  },
});

describe('Graph errors map to the contract', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  test.each([
    [100, 400, 'invalid_request'],
    [2500, 400, 'invalid_request'],
    [3, 403, 'permission_denied'],
    [10, 403, 'permission_denied'],
    [200, 403, 'permission_denied'],
    [299, 403, 'permission_denied'],
    [230, 403, 'permission_denied'],
    [368, 403, 'permission_denied'],
  ])('Graph code %i is %i %s, with Graph identifiers passed on', async (code, status, errorCode) => {
    // Prepare
    harness.emulator.resetCalls();
    harness.emulator.inject({ ...graphError(code, { error_subcode: 1234 }) });
    // Act
    const answer = await harness.call(`/pages/${PAGE}/conversations`);
    // Assess
    expect(answer.status).toBe(status);
    const error = (answer.body as ErrorAnswer).error;
    expect(error.code).toBe(errorCode);
    expect(error.graph).toMatchObject({ code, error_subcode: 1234 });
    expect(error.graph?.fbtrace_id).toEqual(expect.any(String));
    expect(harness.emulator.callCount()).toBe(1);
  });

  test.each([190, 102, 104])(
    'Graph code %i is 502 page_token_invalid after one re-read of the token',
    async (code) => {
      harness.emulator.resetCalls();
      harness.emulator.inject(graphError(code));
      const answer = await harness.call(`/pages/${PAGE}/conversations`);
      expect(answer.status).toBe(502);
      expect((answer.body as ErrorAnswer).error.code).toBe('page_token_invalid');
      // The re-read found the same token, so Graph was not asked again for nothing.
      expect(harness.emulator.callCount()).toBe(1);
    },
  );

  test('a transient 5xx that succeeds on retry is a 200', async () => {
    harness.emulator.resetCalls();
    harness.emulator.inject({
      kind: 'http',
      pageId: PAGE,
      status: 503,
      body: '<html>Service Unavailable</html>',
      contentType: 'text/html',
    });
    const answer = await harness.call(`/pages/${PAGE}/conversations?limit=2`);
    expect(answer.status).toBe(200);
    expect(harness.emulator.callCount()).toBe(2);
  });

  test.each([
    ['code 1', graphError(1, { status: 500 })],
    ['code 2', graphError(2, { status: 500, is_transient: true })],
    ['is_transient', graphError(9_999, { is_transient: true })],
    [
      'an HTML 502',
      {
        kind: 'http' as const,
        pageId: PAGE,
        status: 502,
        body: '<html>Bad Gateway</html>',
        contentType: 'text/html',
      },
    ],
    ['malformed JSON', { kind: 'malformed' as const, pageId: PAGE }],
    ['a reset connection', { kind: 'reset' as const, pageId: PAGE }],
  ])(
    '%s, persisting past the retries, is 502 upstream_error after exactly 3 attempts',
    async (_name, fault) => {
      harness.emulator.resetCalls();
      harness.emulator.inject({ ...fault, times: 3 });
      const answer = await harness.call(`/pages/${PAGE}/conversations`);
      expect(answer.status).toBe(502);
      expect((answer.body as ErrorAnswer).error.code).toBe('upstream_error');
      expect(harness.emulator.callCount()).toBe(3);
    },
  );

  test('an unknown non-transient Graph code is 502 upstream_error without retries', async () => {
    harness.emulator.resetCalls();
    harness.emulator.inject(graphError(12_345));
    const answer = await harness.call(`/pages/${PAGE}/conversations`);
    expect(answer.status).toBe(502);
    expect((answer.body as ErrorAnswer).error.code).toBe('upstream_error');
    expect(harness.emulator.callCount()).toBe(1);
  });

  test('a Graph that never answers is 504 upstream_timeout within the deadline', async () => {
    harness.emulator.resetCalls();
    harness.emulator.inject({ kind: 'hang', pageId: PAGE, times: 10 });
    const answer = await harness.call(`/pages/${PAGE}/conversations`);
    expect(answer.status).toBe(504);
    expect((answer.body as ErrorAnswer).error.code).toBe('upstream_timeout');
    // 400 ms per attempt under a 1.5 s deadline: more than one attempt, never unbounded.
    expect(harness.emulator.callCount()).toBeGreaterThanOrEqual(2);
    expect(harness.emulator.callCount()).toBeLessThanOrEqual(4);
  });
});

describe('every rule of the Graph error table, through the emulator and the HTTP edge', () => {
  // One code per rule: a single code, or a range's first and last.
  const cases = GRAPH_CODES.flatMap((rule) =>
    [...new Set([rule.code, rule.through ?? rule.code])].map((code) => [code, rule.class] as const),
  );
  const start = new Date('2026-11-25T12:00:00Z');
  let now = start;
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ now: () => now });
  });
  afterAll(() => harness.close());

  test.each(cases)('Graph code %i (%s) is answered as the table says', async (code, graphClass) => {
    // Prepare: the client tries a retried class 3 times; a throttle from an earlier case is over.
    const rule = GRAPH_ERROR_CLASSES[graphClass];
    const attempts = rule.retry === 'always' ? 3 : 1;
    now = new Date(now.getTime() + 24 * 3600_000);
    harness.emulator.resetCalls();
    harness.emulator.inject({ ...graphError(code, { error_subcode: 1234 }), times: attempts });
    // Act
    const answer = await harness.call(`/pages/${PAGE}/conversations`);
    // Assess
    expect(answer.status).toBe(rule.status);
    expect(answer.headers.get('retry-after') !== null).toBe(rule.retryAfter);
    const error = (answer.body as ErrorAnswer).error;
    expect(error.code).toBe(rule.errorCode);
    expect(error.graph).toMatchObject({ code, error_subcode: 1234 });
    expect(harness.emulator.callCount()).toBe(attempts);
  });
});

describe('throttling', () => {
  test.each([4, 17, 32, 341, 613, 80001, 80002, 80006, 80004, 80007])(
    'Graph code %i is 429 with Retry-After, and the page is not called again until then',
    async (code) => {
      // Prepare
      let now = new Date('2026-11-25T12:00:00Z');
      const harness = await startHarness({ now: () => now });
      try {
        harness.emulator.inject({
          ...graphError(code),
          headers: {
            'x-business-use-case-usage': JSON.stringify({
              [PAGE]: [
                {
                  type: 'pages',
                  call_count: 100,
                  total_cputime: 20,
                  total_time: 30,
                  estimated_time_to_regain_access: 5,
                },
              ],
            }),
          },
        });
        // Act
        const first = await harness.call(`/pages/${PAGE}/conversations`);
        const second = await harness.call(`/pages/${PAGE}/conversations`);
        // Assess
        expect(first.status).toBe(429);
        expect(first.headers.get('retry-after')).toBe('300');
        expect((first.body as ErrorAnswer).error).toMatchObject({
          code: 'rate_limited',
          retry_after_seconds: 300,
        });
        expect(second.status).toBe(429);
        expect(harness.emulator.callCount()).toBe(1);
        // Once the named time has passed, Graph is called again.
        now = new Date(now.getTime() + 301_000);
        const later = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
        expect(later.status).toBe(200);
        expect(harness.emulator.callCount()).toBe(2);
      } finally {
        await harness.close();
      }
    },
  );

  test('a throttle recorded by one container is honoured by another, through DynamoDB', async () => {
    // Prepare
    const harness = await startHarness();
    const logger = recordingLogger();
    const otherContainer = createLocalServices({
      config: loadConfig({ GRAPH_API_BASE_URL: harness.emulator.url }),
      dynamo: harness.dynamo.client,
      tableName: harness.tableName,
      tokens: FileTokenSource.fromMap(tokensOf(harness.emulator)),
      logger,
      graph: FAST_GRAPH,
    });
    const otherApi = await startLocalApi(createApiHandler(otherContainer.api));
    try {
      harness.emulator.inject(graphError(613));
      expect((await harness.call(`/pages/${PAGE}/conversations`)).status).toBe(429);
      // Act
      const answer = await fetch(`${otherApi.url}/pages/${PAGE}/conversations`);
      // Assess
      expect(answer.status).toBe(429);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(harness.emulator.callCount()).toBe(1);
    } finally {
      await otherApi.close();
      await otherContainer.graph.close();
      await harness.close();
    }
  });

  test('a usage header at 100% with a time to regain access stops further calls though the answer succeeded', async () => {
    const harness = await startHarness({
      emulator: { rateLimit: { callsPerWindow: 2, windowSeconds: 3600, regainMinutes: 10 } },
    });
    try {
      expect((await harness.call(`/pages/${PAGE}/conversations?limit=1`)).status).toBe(200);
      // The emulator reports 100% on the second call, with regain time only once exceeded: exceed it.
      const throttled = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      const third = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      const fourth = await harness.call(`/pages/${PAGE}/conversations?limit=1`);
      expect([throttled.status, third.status]).toContain(429);
      expect(fourth.status).toBe(429);
      expect(harness.emulator.callCount()).toBeLessThanOrEqual(3);
    } finally {
      await harness.close();
    }
  });
});
