import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { DEMO_PAGE_IDS, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { SYNC_RUN_FAILED_MESSAGE } from '#lib/telemetry/log-messages.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { captureOutput } from './support/emf.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';

/**
 * What a warm sync run and a warm API request write to CloudWatch Logs (billed per GB ingested and
 * stored), through the deployed functions' own entry points: every line they print, log and EMF alike.
 * Each line must still carry what an operator reads.
 */

const PAGE = DEMO_PAGE_IDS[0];
const PREFIX = 'log-bytes/page-';
const TABLE = 'log-bytes';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** Names as CDK makes them, and Lambda's request ids: the bytes of a real line. */
const SYNC_FUNCTION = 'PageConversations-SyncWorkerFunction8C7A0D2E-aB3dE5fG7hJ9';
const API_FUNCTION = 'PageConversations-ApiFunctionCE271BD4-kL1mN3pQ5rS7';

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** One invocation's printed lines: their bytes as CloudWatch ingests them (a line and its newline). */
async function invoke<E, R>(handler: Handler<E, R>, event: E, context: Context) {
  const output = captureOutput();
  let result: R;
  try {
    result = await handler(event, context);
  } finally {
    output.stop();
  }
  const lines = output
    .text()
    .split('\n')
    .filter((line) => line !== '');
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  const json = lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    result,
    bytes,
    lines,
    logs: json.filter((line) => !('_aws' in line)),
    emf: json.filter((line) => '_aws' in line),
  };
}

describe('log bytes per warm sync run and per warm API request', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let api: Handler<APIGatewayProxyEventV2, { statusCode: number; body: string }>;
  let syncWorker: Handler<SQSEvent, { batchItemFailures: unknown[] }>;
  const secrets = fakeSecretsManager();
  const syncEvent = (id: string) =>
    ({ Records: [{ messageId: id, body: JSON.stringify({ pageId: PAGE }) }] }) as SQSEvent;

  // In AWS change events go to EventBridge, not to the log: a stand-in answers PutEvents on loopback.
  const eventBridge = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { Entries = [] } = JSON.parse(body) as { Entries?: unknown[] };
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end(
        JSON.stringify({ FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `event-${i}` })) }),
      );
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => eventBridge.listen(0, '127.0.0.1', resolve));
    emulator = await startGraphEmulator();
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, TABLE);
    await new PageRegistry({ client: dynamo.client, tableName: TABLE }).register({
      pageId: PAGE,
      token: { kind: 'page-secret' },
    });
    const page = emulator.pages.get(PAGE);
    if (page === undefined) throw new Error('the emulator has no demo page');
    secrets.secrets.set(`${PREFIX}${PAGE}`, { value: page.accessToken, version: 'v1' });
    secrets.secrets.set('page-conversations/person-key', {
      value: 'fixture-person-key-'.repeat(4),
      version: 'v1',
    });
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOGBYTESTEST',
      AWS_SECRET_ACCESS_KEY: 'log-bytes-test-secret',
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TOKEN_SECRET_PREFIX: PREFIX,
      GRAPH_API_BASE_URL: emulator.url,
      GRAPH_API_VERSION: 'v24.0',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync',
      PRIVACY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/erasure',
      // The person-hash key's secret, as the stack passes it to the functions that hash ids.
      PERSON_KEY_SECRET_ID: 'page-conversations/person-key',
      EVENT_BUS_NAME: 'log-bytes-events',
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(eventBridge.address() as AddressInfo).port}`,
    });
    process.env.POWERTOOLS_SERVICE_NAME = 'page-conversations-api';
    ({ handler: api } = await import('../functions/api.js'));
    process.env.POWERTOOLS_SERVICE_NAME = 'page-conversations-sync-worker';
    ({ handler: syncWorker } = await import('../functions/sync-worker.js'));
    // Cold starts and the first backfill are once per container and per Page: not what a round costs.
    await invoke(syncWorker, syncEvent('warm-up'), lambdaContext(SYNC_FUNCTION, randomUUID()));
    await invoke(
      api,
      apiGatewayEvent(`/pages/${PAGE}/conversations`),
      lambdaContext(API_FUNCTION, randomUUID()),
    );
  });
  afterAll(async () => {
    secrets.mock.restore();
    eventBridge.close();
    await emulator.close();
    await dynamo.close();
  });

  test('a quiet sync run writes at most 1,000 bytes (1,433 before), with what an operator reads', async () => {
    // Act
    const run = await invoke(syncWorker, syncEvent('m-1'), lambdaContext(SYNC_FUNCTION, randomUUID()));
    // Assess
    expect(run.result.batchItemFailures).toEqual([]);
    expect(run.bytes).toBeLessThanOrEqual(1_000);
    expect(run.logs).toHaveLength(1);
    expect(run.logs[0]).toMatchObject({
      message: 'sync run',
      function_request_id: expect.any(String),
      page_id: PAGE,
      outcome: 'complete',
      graph_calls: expect.any(Number),
      conversations_changed: 0,
    });
    expect(run.logs[0]).not.toHaveProperty('function_arn');
    expect(run.logs[0]).not.toHaveProperty('partitions');
    expect(run.emf.map((line) => Object.keys(line).filter((key) => /^[A-Z]/.test(key)))).toEqual([
      ['Outcome', 'GraphCalls'],
      ['Outcome', 'SyncRuns'],
    ]);
  });

  test('a run with one changed conversation writes at most 1,320 bytes (1,503 before)', async () => {
    // Prepare
    const [conversation] =
      emulator.pages
        .get(PAGE)
        ?.conversations.filter((c) => c.platform === 'messenger' && c.folder === 'inbox') ?? [];
    emulator.touch(PAGE, [conversation?.id ?? '']);
    // Act
    const run = await invoke(syncWorker, syncEvent('m-2'), lambdaContext(SYNC_FUNCTION, randomUUID()));
    // Assess
    expect(run.result.batchItemFailures).toEqual([]);
    expect(run.bytes).toBeLessThanOrEqual(1_320);
    expect(run.logs[0]).toMatchObject({ page_id: PAGE, outcome: 'complete', conversations_changed: 1 });
  });

  test('an API request writes at most 720 bytes (864 before), with what an operator reads', async () => {
    // Act
    const request = await invoke(
      api,
      apiGatewayEvent(`/pages/${PAGE}/conversations`, { rawQueryString: 'limit=2' }),
      lambdaContext(API_FUNCTION, randomUUID()),
    );
    // Assess
    expect(request.result.statusCode).toBe(200);
    expect(request.bytes).toBeLessThanOrEqual(720);
    expect(request.logs).toHaveLength(1);
    expect(request.logs[0]).toMatchObject({
      message: 'request',
      function_request_id: expect.any(String),
      request_id: expect.any(String),
      method: 'GET',
      path: `/pages/${PAGE}/conversations`,
      status: 200,
      latency_ms: expect.any(Number),
    });
    expect(request.logs[0]).not.toHaveProperty('function_arn');
  });

  test('a failed run keeps the detail of each partition in its line', async () => {
    // Prepare: Graph refuses the Page's permission on every call.
    emulator.inject({
      pageId: PAGE,
      kind: 'graph-error',
      status: 403,
      times: 10,
      error: { message: '(#10) Requires pages_messaging permission', type: 'OAuthException', code: 10 },
    });
    // Act
    const run = await invoke(syncWorker, syncEvent('m-3'), lambdaContext(SYNC_FUNCTION, randomUUID()));
    // Assess
    const failed = run.logs.find((line) => line.message === SYNC_RUN_FAILED_MESSAGE);
    expect(failed).toMatchObject({ page_id: PAGE, function_request_id: expect.any(String) });
    const partitions = Object.values(failed?.partitions as Record<string, { outcome: string }>);
    expect(partitions.length).toBeGreaterThan(0);
    for (const partition of partitions) expect(partition.outcome).toBe('failed');
  });
});
