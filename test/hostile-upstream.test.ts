import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '#lib/http/api-handler.js';
import { lambdaContext } from '#lib/local/api-gateway-adapter.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import type { PageCredentials } from '#lib/tokens/token-source.js';
import { type HostileAnswer, type HostileGraph, startHostileGraph } from './hostile/hostile-graph.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { type Harness, recordingLogger, startHarness } from './support/harness.js';

// Fixture secrets: obviously fake, yet shaped so that a trace-id check alone would let the token pass.
const TOKEN = 'hostile_test_page_token_not_real_000000000000';
const APP_SECRET = 'hostile_test_app_secret_not_real_0000';
const PAGES = Array.from({ length: 40 }, (_, i) => String(9_000_000_000_000_001 + i));
const MB = 1024 * 1024;

type ErrorAnswer = {
  error: {
    code: string;
    message: string;
    retry_after_seconds?: number;
    graph?: { code?: number; error_subcode?: number; fbtrace_id?: string };
  };
};
type ListAnswer = { data: Array<Record<string, unknown>>; paging?: { next?: string } };

const conversation = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  updated_time: '2026-11-20T10:00:00+0000',
  ...extra,
});
const envelope = (error: Record<string, unknown>, status = 400): HostileAnswer => ({
  status,
  body: { error: { type: 'OAuthException', fbtrace_id: 'AbC123xyz_-', ...error } },
});
const throttledUsage = (minutes: number) => ({
  'x-business-use-case-usage': JSON.stringify({
    p: [
      {
        type: 'pages',
        call_count: 100,
        total_cputime: 1,
        total_time: 1,
        estimated_time_to_regain_access: minutes,
      },
    ],
  }),
});

describe('a hostile Graph', () => {
  const logger = recordingLogger();
  const answers: Array<{ status: number; text: string }> = [];
  let graph: HostileGraph;
  let harness: Harness;
  let nextPage = 0;

  beforeAll(async () => {
    graph = await startHostileGraph();
    const credentials: PageCredentials = { accessToken: TOKEN, appSecret: APP_SECRET };
    harness = await startHarness({
      env: { GRAPH_API_BASE_URL: graph.url },
      tokens: FileTokenSource.fromMap(new Map(PAGES.map((page) => [page, credentials]))),
      logger,
    });
  });
  afterAll(async () => {
    await harness.close();
    await graph.close();
  });

  /** Lists conversations of a fresh page (a throttle of one scenario never meets another) against `answer`. */
  async function listAgainst(answer: HostileAnswer, query = '') {
    const page = PAGES[nextPage++] as string;
    graph.answerWith(answer);
    graph.requests.length = 0;
    const result = await harness.call(`/pages/${page}/conversations${query}`);
    answers.push({ status: result.status, text: result.text });
    return { ...result, page };
  }

  // Each: what Graph answers, then the status and code the caller must get.
  const errorScenarios: Array<[string, HostileAnswer, number, string]> = [
    [
      'a token as fbtrace_id',
      envelope({ code: 100, message: 'bad', fbtrace_id: TOKEN }),
      400,
      'invalid_request',
    ],
    [
      'a 1 MB fbtrace_id',
      envelope({ code: 200, message: 'no', fbtrace_id: 'A'.repeat(MB) }),
      403,
      'permission_denied',
    ],
    [
      'the token and app secret in the message, type and extra fields',
      envelope({
        code: 100,
        message: `Invalid token ${TOKEN} with secret ${APP_SECRET}`,
        type: `OAuthException ${TOKEN}`,
        error_user_msg: TOKEN,
        error_data: { access_token: TOKEN },
      }),
      400,
      'invalid_request',
    ],
    ['a 1 MB message', envelope({ code: 12_345, message: 'x'.repeat(MB) }), 502, 'upstream_error'],
    [
      'a code of 1e300 and a subcode in quotes',
      envelope({ code: 1e300, error_subcode: '463' }),
      502,
      'upstream_error',
    ],
    [
      'a message that is an object',
      envelope({ code: 12_345, message: { nested: TOKEN } }),
      502,
      'upstream_error',
    ],
    [
      'a 302 redirect elsewhere, carrying the token',
      { status: 302, headers: { location: `https://elsewhere.invalid/?access_token=${TOKEN}` }, body: '' },
      502,
      'upstream_error',
    ],
    [
      'a 307 with {"data": []}',
      { status: 307, headers: { location: '/v24.0/x' }, body: { data: [] } },
      502,
      'upstream_error',
    ],
    ['a 404 with a data list', { status: 404, body: { data: [conversation('t_1')] } }, 502, 'upstream_error'],
    [
      'a 500 HTML page quoting the token',
      { status: 500, headers: { 'content-type': 'text/html' }, body: `<html>${TOKEN}</html>` },
      502,
      'upstream_error',
    ],
    [
      'a body over 5 MB',
      { status: 200, body: { data: [conversation('t_1', { snippet: 'x'.repeat(6 * MB) })] } },
      502,
      'upstream_error',
    ],
    [
      'a 300 KB cursor',
      {
        status: 200,
        body: { data: [conversation('t_1')], paging: { cursors: { after: 'c'.repeat(300 * 1024) } } },
      },
      502,
      'upstream_error',
    ],
  ];

  it.each(errorScenarios.map(([name, answer, status, code]) => [name, status, code, answer] as const))(
    '%s: %i %s, nothing secret or oversized passed on',
    async (_name, status, code, answer) => {
      // Act
      const result = await listAgainst(answer);
      // Assess
      expect(result.status).toBe(status);
      const error = (result.body as ErrorAnswer).error;
      expect(error.code).toBe(code);
      expect(error.message.length).toBeLessThanOrEqual(1_100);
      for (const figure of [error.graph?.code, error.graph?.error_subcode]) {
        if (figure !== undefined) expect(Number.isSafeInteger(figure)).toBe(true);
      }
      if (error.graph?.fbtrace_id !== undefined)
        expect(error.graph.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(result.text).not.toContain(TOKEN);
      expect(result.text).not.toContain(APP_SECRET);
      expect(result.text.length).toBeLessThan(2_000);
    },
  );

  it.each([
    ['a redirect', { status: 302, headers: { location: 'https://elsewhere.invalid/' }, body: '' }],
    ['a 307 with data', { status: 307, body: { data: [] } }],
    ['a body over 5 MB', { status: 200, body: { data: [], padding: 'x'.repeat(6 * MB) } }],
  ])('%s is not retried: one call', async (_name, answer) => {
    const result = await listAgainst(answer);
    expect(result.status).toBe(502);
    expect(graph.requests).toHaveLength(1);
  });

  it.each([
    ['1e9', 1e9],
    ['1e300', 1e300],
  ])(
    'a throttle of %s minutes is capped at 24 hours, and later requests are 429, not 500',
    async (_name, minutes) => {
      // Act
      const first = await listAgainst({
        ...envelope({ code: 4, message: 'limit' }, 403),
        headers: throttledUsage(minutes),
      });
      const second = await harness.call(`/pages/${first.page}/conversations`);
      // Assess
      expect(first.status).toBe(429);
      expect((first.body as ErrorAnswer).error.retry_after_seconds).toBeLessThanOrEqual(24 * 3600);
      expect(Number(first.headers.get('retry-after'))).toBeLessThanOrEqual(24 * 3600);
      expect(second.status).toBe(429);
      expect((second.body as ErrorAnswer).error.retry_after_seconds).toBeLessThanOrEqual(24 * 3600);
    },
  );

  it('a successful answer whose usage header names 1e300 minutes blocks the page for at most 24 hours', async () => {
    const first = await listAgainst({
      status: 200,
      headers: throttledUsage(1e300),
      body: { data: [conversation('t_1')] },
    });
    const second = await harness.call(`/pages/${first.page}/conversations`);
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect((second.body as ErrorAnswer).error.retry_after_seconds).toBeLessThanOrEqual(24 * 3600);
  });

  it('usage figures of 1e999 (Infinity once parsed) do not fail a good answer', async () => {
    const result = await listAgainst({
      status: 200,
      headers: { 'x-app-usage': '{"call_count": 1e999, "total_time": -5}' },
      body: { data: [conversation('t_1')] },
    });
    expect(result.status).toBe(200);
  });

  it('items carry only the fields asked for: no access_token, no nested messages', async () => {
    // Prepare
    const item = conversation('t_1', {
      snippet: 'hi',
      access_token: TOKEN,
      messages: { data: [{ id: 'm_1', message: 'private' }] },
    });
    // Act
    const result = await listAgainst({ status: 200, body: { data: [item] } }, '?fields=snippet');
    // Assess
    expect(result.status).toBe(200);
    expect((result.body as ListAnswer).data).toEqual([{ id: 't_1', snippet: 'hi' }]);
    expect(graph.requests[0]?.query.get('fields')?.split(',')).toEqual(['id', 'snippet', 'updated_time']);
    expect(result.text).not.toContain(TOKEN);
  });

  it('items without a valid id or Graph time are dropped; the valid ones are returned', async () => {
    // Prepare
    const bad = [
      null,
      42,
      't_9',
      [conversation('t_8')],
      { updated_time: '2026-11-20T10:00:00+0000' },
      conversation(''),
      conversation('x'.repeat(2_000)),
      conversation(7 as unknown as string),
      { id: 't_7' },
      conversation('t_6', { updated_time: '1' }),
      conversation('t_5', { updated_time: 'yesterday' }),
      conversation('t_4', { updated_time: '2026-02-31T10:00:00+0000' }),
      conversation('t_3', { updated_time: `2026-11-20T10:00:00+0000${'x'.repeat(MB)}` }),
    ];
    const data = [conversation('t_1'), ...bad, conversation('t_2')];
    // Act
    const result = await listAgainst({ status: 200, body: { data } }, '?fields=id,updated_time');
    // Assess
    expect(result.status).toBe(200);
    expect((result.body as ListAnswer).data.map((item) => item.id)).toEqual(['t_1', 't_2']);
  });

  it("Graph's own paging.next, which carries the token, never reaches the caller", async () => {
    const result = await listAgainst({
      status: 200,
      body: {
        data: [conversation('t_1')],
        paging: {
          cursors: { after: 'QVFI' },
          next: `https://graph.facebook.com/v24.0/1/conversations?access_token=${TOKEN}&after=QVFI`,
        },
      },
    });
    expect(result.status).toBe(200);
    const next = (result.body as ListAnswer).paging?.next ?? '';
    expect(next.startsWith(harness.api.url)).toBe(true);
    expect(result.text).not.toContain('graph.facebook.com');
  });

  it('across every scenario: no answer was a 500, and no token reached an answer or a log line', () => {
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => answer.status >= 500 && answer.status !== 502)).toEqual([]);
    for (const text of [...answers.map((answer) => answer.text), ...logger.lines]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(APP_SECRET);
    }
  });
});

describe('paging.next is built from configuration and API Gateway, never from request headers', () => {
  let graph: HostileGraph;
  beforeAll(async () => {
    graph = await startHostileGraph();
    graph.answerWith({
      status: 200,
      body: {
        data: [conversation('t_1')],
        paging: { cursors: { after: 'QVFI' }, next: 'https://graph.invalid/' },
      },
    });
  });
  afterAll(() => graph.close());

  /** An API Gateway event whose Host and x-forwarded-proto headers lie. */
  const event = (page: string) =>
    apiGatewayEvent(`/pages/${page}/conversations`, {
      rawQueryString: 'limit=1',
      headers: {
        host: 'evil.example',
        'x-forwarded-proto': 'javascript',
        'x-forwarded-host': 'evil.example',
      },
      stage: 'prod',
    });

  it.each([
    [undefined, 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/pages/'],
    ['https://api.example.com/messaging/v1/', 'https://api.example.com/messaging/v1/pages/'],
  ])('PUBLIC_BASE_URL %s: next starts %s', async (publicBaseUrl, expected) => {
    // Prepare
    const page = PAGES[0] as string;
    const harness = await startHarness({
      env: { GRAPH_API_BASE_URL: graph.url, ...(publicBaseUrl ? { PUBLIC_BASE_URL: publicBaseUrl } : {}) },
      tokens: FileTokenSource.fromMap(new Map([[page, { accessToken: TOKEN }]])),
    });
    try {
      // Act
      const answer = await createApiHandler(harness.services.api)(event(page), lambdaContext('api'));
      // Assess
      expect(answer.statusCode).toBe(200);
      const next = (JSON.parse(answer.body) as ListAnswer).paging?.next ?? '';
      expect(next.startsWith(expected)).toBe(true);
      expect(next).not.toContain('evil');
    } finally {
      await harness.close();
    }
  });
});
