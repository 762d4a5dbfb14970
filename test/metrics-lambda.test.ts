import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { DEMO_PAGE_IDS, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { METRICS_NAMESPACE } from '#lib/telemetry/metric-names.js';
import { apiGatewayEvent } from './support/api-gateway-event.js';
import { captureOutput, type EmfLine, emfTotal, readEmfLines } from './support/emf.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';

/**
 * The functions' own entry points, imported as Lambda imports them (configuration from the environment,
 * services built at import), called with a Lambda context over dynalite and the Graph emulator; their
 * metrics read back from the EMF lines Powertools prints.
 */

const PAGE = DEMO_PAGE_IDS[0];
const PREFIX = 'metrics-test/page-';
const TABLE = 'metrics-test';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

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

const apiEvent = (path: string, rawQueryString: string) => apiGatewayEvent(path, { rawQueryString });

/** Runs one invocation and returns what it printed: log lines and EMF lines. */
async function invoke<E, R>(handler: Handler<E, R>, event: E, context: Context) {
  const output = captureOutput();
  let result: R;
  try {
    result = await handler(event, context);
  } finally {
    output.stop();
  }
  const printed = output.text();
  const logs = printed
    .split('\n')
    .filter((line) => line.startsWith('{') && !line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { result, emf: readEmfLines(printed), logs };
}

const withName = (lines: EmfLine[], name: string) => lines.filter((line) => name in line.metrics);

describe('metrics and log context of the deployed functions', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let api: Handler<APIGatewayProxyEventV2, { statusCode: number; body: string }>;
  let syncWorker: Handler<SQSEvent, { batchItemFailures: unknown[] }>;
  const secrets = fakeSecretsManager();

  beforeAll(async () => {
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
      AWS_ACCESS_KEY_ID: 'AKIDMETRICSTEST',
      AWS_SECRET_ACCESS_KEY: 'metrics-test-secret',
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TOKEN_SECRET_PREFIX: PREFIX,
      SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync',
      PRIVACY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/erasure',
      // The person-hash key's secret, as the stack passes it to the functions that hash ids.
      PERSON_KEY_SECRET_ID: 'page-conversations/person-key',
      GRAPH_API_BASE_URL: emulator.url,
      GRAPH_API_VERSION: 'v24.0',
      SYNC_PLATFORMS: 'messenger',
      SYNC_FOLDERS: 'inbox',
      // What Lambda sets for an on-demand container; Powertools reports cold starts only there.
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    });
    // Each function reads its service name at import, as CDK sets it per function.
    process.env.POWERTOOLS_SERVICE_NAME = 'page-conversations-api';
    ({ handler: api } = await import('../functions/api.js'));
    process.env.POWERTOOLS_SERVICE_NAME = 'page-conversations-sync-worker';
    ({ handler: syncWorker } = await import('../functions/sync-worker.js'));
  });
  afterAll(async () => {
    secrets.mock.restore();
    await emulator.close();
    await dynamo.close();
  });

  test('an API request prints its Graph call in EMF, its log lines carry the Lambda context', async () => {
    // Prepare
    const event = apiEvent(`/pages/${PAGE}/conversations`, 'limit=2');
    // Act
    const first = await invoke(api, event, lambdaContext('api-fn', 'request-1'));
    const second = await invoke(api, event, lambdaContext('api-fn', 'request-2'));
    // Assess
    expect(first.result.statusCode).toBe(200);
    const graphCalls = withName(first.emf, 'GraphCalls');
    expect(graphCalls).toHaveLength(1);
    expect(graphCalls[0]?.namespace).toBe(METRICS_NAMESPACE);
    expect(graphCalls[0]?.dimensions).toEqual({ service: 'page-conversations-api', Outcome: 'ok' });
    expect(graphCalls[0]?.metrics).toEqual({ GraphCalls: 1 });
    expect(graphCalls[0]?.units).toEqual({ GraphCalls: 'Count' });
    // Powertools' cold-start count, once per container.
    expect(emfTotal(first.emf, 'ColdStart', { function_name: 'api-fn' })).toBe(1);
    expect(emfTotal(second.emf, 'ColdStart')).toBe(0);
    expect(emfTotal(second.emf, 'GraphCalls', { Outcome: 'ok' })).toBe(1);
    const [firstRequest, secondRequest] = [first, second].map(({ logs }) =>
      logs.find((line) => line.message === 'request'),
    );
    expect(firstRequest).toMatchObject({
      service: 'page-conversations-api',
      cold_start: true,
      function_name: 'api-fn',
      function_request_id: 'request-1',
      status: 200,
    });
    expect(secondRequest).toMatchObject({ cold_start: false, function_request_id: 'request-2' });
  });

  test('an API request with a cursor this API never issued counts a cursor miss and no Graph call', async () => {
    // Prepare
    const event = apiEvent(`/pages/${PAGE}/conversations`, 'after=bm90LWEtY3Vyc29y');
    // Act
    const { result, emf } = await invoke(api, event, lambdaContext('api-fn', 'request-3'));
    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'invalid_cursor' } });
    expect(emfTotal(emf, 'CursorMisses', { service: 'page-conversations-api' })).toBe(1);
    expect(emfTotal(emf, 'GraphCalls')).toBe(0);
  });

  test('a sync run prints its outcome, Graph calls, retries, changes and events in EMF, with the Page as a property', async () => {
    // Prepare: Graph fails once with a transient error, which the client retries.
    const indexable = emulator.pages
      .get(PAGE)
      ?.conversations.filter(({ platform, folder }) => platform === 'messenger' && folder === 'inbox');
    emulator.resetCalls();
    emulator.inject({
      pageId: PAGE,
      kind: 'graph-error',
      status: 500,
      error: {
        message: 'An unexpected error has occurred.',
        type: 'OAuthException',
        code: 2,
        is_transient: true,
      },
    });
    const event = { Records: [{ messageId: 'm-1', body: JSON.stringify({ pageId: PAGE }) }] } as SQSEvent;
    // Act
    const { result, emf, logs } = await invoke(syncWorker, event, lambdaContext('sync-fn', 'request-4'));
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const answered = emulator.calls.filter((call) => call.status === 200).length;
    expect(answered).toBeGreaterThan(0);
    expect(emfTotal(emf, 'SyncRuns', { Outcome: 'complete' })).toBe(1);
    expect(emfTotal(emf, 'SyncRuns')).toBe(1);
    expect(emfTotal(emf, 'GraphCalls', { Outcome: 'ok' })).toBe(answered);
    expect(emfTotal(emf, 'GraphCalls', { Outcome: 'error' })).toBe(1);
    expect(emfTotal(emf, 'GraphErrors', { GraphCode: '2' })).toBe(1);
    expect(emfTotal(emf, 'GraphRetries')).toBe(1);
    expect(emfTotal(emf, 'ConversationsChanged')).toBe(indexable?.length);
    expect(emfTotal(emf, 'ChangeEventsEmitted')).toBe(indexable?.length);
    expect(emfTotal(emf, 'SkippedItems')).toBe(0);
    expect(emfTotal(emf, 'ColdStart', { function_name: 'sync-fn' })).toBe(1);
    for (const line of emf) {
      expect(line.dimensions.service).toBe('page-conversations-sync-worker');
      if (line.metrics.ColdStart === undefined) expect(line.raw.page_id).toBe(PAGE);
      expect(line.dimensionNames).not.toContain('page_id');
    }
    const run = logs.find((line) => line.message === 'sync run');
    expect(run).toMatchObject({
      cold_start: true,
      function_name: 'sync-fn',
      function_request_id: 'request-4',
      page_id: PAGE,
      outcome: 'complete',
    });
  });

  test('a sync message left for lack of time is reported for redelivery, not thrown as a failed invocation', async () => {
    // Prepare: less time left than a run needs; the batch's one message fails, so the whole batch does.
    const event = { Records: [{ messageId: 'm-late', body: JSON.stringify({ pageId: PAGE }) }] } as SQSEvent;
    const context = { ...lambdaContext('sync-fn', 'request-5'), getRemainingTimeInMillis: () => 1_000 };
    emulator.resetCalls();
    // Act
    const { result, emf } = await invoke(syncWorker, event, context);
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-late' }]);
    expect(emulator.calls).toHaveLength(0);
    expect(emfTotal(emf, 'SyncRuns')).toBe(0);
  });
});
