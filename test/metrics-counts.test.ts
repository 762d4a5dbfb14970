import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { InvalidCursorError, RateLimitedError, UnavailableError, UpstreamError } from '#lib/domain/errors.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { DEMO_PAGE_IDS, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import { createDynamoClient } from '#lib/store/dynamo-client.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { countErrorAnswer } from '#lib/telemetry/error-metrics.js';
import { METRIC_NAMES } from '#lib/telemetry/metric-names.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { refreshConversation } from '#lib/webhooks/refresh.js';
import { newRefreshRequest, type RefreshRequest } from '#lib/webhooks/refresh-request.js';
import { signBody } from '#lib/webhooks/signature.js';
import { FAST_GRAPH, recordingLogger, tokensOf } from './support/harness.js';
import { recordingMetrics } from './support/recording-metrics.js';

/**
 * What the product counts, read from a recording `ProductMetrics` handed to the real services (as
 * the functions hand theirs), over dynalite and the Graph emulator: throttles, invalid tokens,
 * webhook deliveries and refreshes, 503s.
 */

const PAGE = DEMO_PAGE_IDS[0];
const CONTEXT = { awsRequestId: 'test', getRemainingTimeInMillis: () => 29_000 } as Context;

function get(path: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: 'limit=2',
    headers: {},
    requestContext: {
      domainName: 'localhost',
      stage: '$default',
      requestId: 'r',
      http: { method: 'GET', path },
    },
  } as unknown as APIGatewayProxyEventV2;
}

describe('counts of the real services', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let services: LocalServices;
  let metrics: ReturnType<typeof recordingMetrics>;

  beforeAll(async () => {
    emulator = await startGraphEmulator();
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, 'metrics-counts');
  });
  afterAll(async () => {
    await emulator.close();
    await dynamo.close();
  });

  /** Fresh services, table content and counts for each test; the table is shared, the pages are not. */
  async function build(): Promise<void> {
    metrics = recordingMetrics();
    const tableName = `metrics-${Math.random().toString(36).slice(2)}`;
    await ensureTable(dynamo.client, tableName);
    const registry = new PageRegistry({ client: dynamo.client, tableName });
    await registry.register({ pageId: PAGE, token: { kind: 'page-secret' } });
    services = createLocalServices({
      config: loadConfig({ GRAPH_API_BASE_URL: emulator.url, GRAPH_API_VERSION: 'v24.0' }),
      dynamo: dynamo.client,
      tableName,
      registry,
      tokens: FileTokenSource.fromMap(tokensOf(emulator), registry),
      logger: recordingLogger(),
      graph: FAST_GRAPH,
      pacer: { callsPerSecond: Number.POSITIVE_INFINITY },
      metrics,
    });
  }

  test('a Graph throttle counts once from Graph, then once per request refused by the back-off', async () => {
    // Prepare
    await build();
    const api = createApiHandler(services.api);
    emulator.inject({
      pageId: PAGE,
      kind: 'graph-error',
      status: 403,
      error: { message: 'Application request limit reached', type: 'OAuthException', code: 4 },
    });
    // Act
    const throttled = await api(get(`/pages/${PAGE}/conversations`), CONTEXT);
    const refused = await api(get(`/pages/${PAGE}/conversations`), CONTEXT);
    // Assess
    expect([throttled.statusCode, refused.statusCode]).toEqual([429, 429]);
    expect(metrics.total(METRIC_NAMES.throttles, { Source: 'graph' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.throttles, { Source: 'backoff' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.graphErrors, { GraphCode: '4' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.graphCalls)).toBe(1);
    expect(metrics.total(METRIC_NAMES.graphRetries)).toBe(0);
  });

  test('a token Graph rejects is counted once when marked invalid, not again when refused after', async () => {
    // Prepare
    await build();
    const api = createApiHandler(services.api);
    emulator.inject({
      pageId: PAGE,
      kind: 'graph-error',
      status: 400,
      error: {
        message: 'Error validating access token',
        type: 'OAuthException',
        code: 190,
        error_subcode: 463,
      },
    });
    // Act
    const rejected = await api(get(`/pages/${PAGE}/conversations`), CONTEXT);
    const refused = await api(get(`/pages/${PAGE}/conversations`), CONTEXT);
    // Assess
    expect([rejected.statusCode, refused.statusCode]).toEqual([502, 502]);
    expect(metrics.total(METRIC_NAMES.tokensMarkedInvalid)).toBe(1);
    expect(metrics.total(METRIC_NAMES.graphErrors, { GraphCode: '190' })).toBe(1);
  });

  test('webhook deliveries are counted by outcome: accepted, bad signature, bad body', async () => {
    // Prepare
    await build();
    const appSecret = 'metrics-test-app-secret';
    const sent: RefreshRequest[] = [];
    const handler = createWebhookHandler({
      secrets: { get: async () => ({ appSecret, verifyToken: 'metrics-test-verify-token' }) },
      queue: { send: async (requests) => void sent.push(...requests) },
      logger: recordingLogger(),
      now: () => new Date(),
      metrics,
    });
    const post = (body: string, signature: string) =>
      handler(
        {
          ...get('/webhooks/meta'),
          body,
          headers: { 'x-hub-signature-256': signature },
          requestContext: { http: { method: 'POST', path: '/webhooks/meta' }, requestId: 'w' },
        } as unknown as APIGatewayProxyEventV2,
        CONTEXT,
      );
    const delivery = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: 1,
          messaging: [
            {
              sender: { id: '42' },
              recipient: { id: PAGE },
              timestamp: 1,
              message: { mid: 'm.1', text: 'hi' },
            },
          ],
        },
      ],
    });
    // Act
    const statuses = [
      (await post(delivery, signBody(delivery, appSecret))).statusCode,
      (await post(delivery, signBody(delivery, 'another-secret'))).statusCode,
      (await post('not json', signBody('not json', appSecret))).statusCode,
    ];
    // Assess
    expect(statuses).toEqual([200, 403, 400]);
    expect(sent).toHaveLength(1);
    expect(metrics.total(METRIC_NAMES.webhookDeliveries, { Outcome: 'accepted' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.webhookDeliveries, { Outcome: 'invalid_signature' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.webhookDeliveries, { Outcome: 'invalid_body' })).toBe(1);
  });

  test('webhook refreshes are counted by outcome, with the conversations they changed', async () => {
    // Prepare
    await build();
    const conversation = emulator.pages
      .get(PAGE)
      ?.conversations.find((item) => item.platform === 'messenger');
    const person = conversation?.participants.data.find((participant) => participant.id !== PAGE)?.id;
    if (person === undefined) throw new Error('the demo page has no Messenger conversation');
    // Act
    const known = await refreshConversation(
      services.refresh,
      newRefreshRequest({ object: 'page', accountId: PAGE, personId: person }, Date.now()),
    );
    const unknown = await refreshConversation(
      services.refresh,
      newRefreshRequest({ object: 'page', accountId: '999999999', personId: person }, Date.now()),
    );
    // Assess
    expect([known.status, unknown.status]).toEqual(['refreshed', 'ignored']);
    expect(metrics.total(METRIC_NAMES.webhookRefreshes, { Outcome: 'refreshed' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.webhookRefreshes, { Outcome: 'ignored' })).toBe(1);
    expect(metrics.total(METRIC_NAMES.conversationsChanged)).toBe(1);
    expect(metrics.total(METRIC_NAMES.changeEventsEmitted)).toBe(1);
  });

  test('a DynamoDB that cannot be reached is counted as a 503', async () => {
    // Prepare: a port nothing listens on.
    metrics = recordingMetrics();
    const unreachable = createLocalServices({
      config: loadConfig({ GRAPH_API_BASE_URL: emulator.url }),
      dynamo: createDynamoClient({ endpoint: 'http://127.0.0.1:9' }),
      tableName: 'unreachable',
      tokens: FileTokenSource.fromMap(tokensOf(emulator)),
      logger: recordingLogger(),
      graph: FAST_GRAPH,
      metrics,
    });
    // Act
    const answer = await createApiHandler(unreachable.api)(get(`/pages/${PAGE}/conversations`), CONTEXT);
    // Assess
    expect(answer.statusCode).toBe(503);
    expect(metrics.total(METRIC_NAMES.storeUnavailable)).toBe(1);
    await unreachable.graph.close();
  });
});

describe('which error answers are counted', () => {
  it.each([
    [new InvalidCursorError(), METRIC_NAMES.cursorMisses],
    [new UnavailableError(), METRIC_NAMES.storeUnavailable],
    [new RateLimitedError('throttled', new Date()), undefined],
    [new UpstreamError('Graph failed'), undefined],
    [new Error('a bug'), undefined],
  ])('%s', (error, counted) => {
    // Prepare
    const metrics = recordingMetrics();
    // Act
    countErrorAnswer(metrics, error);
    // Assess
    expect(metrics.total(METRIC_NAMES.cursorMisses) + metrics.total(METRIC_NAMES.storeUnavailable)).toBe(
      counted === undefined ? 0 : 1,
    );
    if (counted !== undefined) expect(metrics.total(counted)).toBe(1);
  });
});
