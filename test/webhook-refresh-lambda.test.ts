import { GetSecretValueCommand, InternalServiceError } from '@aws-sdk/client-secrets-manager';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { DEMO_PAGE_IDS, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { newRefreshRequest } from '#lib/webhooks/refresh-request.js';
import { captureOutput, emfTotal, readEmfLines } from './support/emf.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';

/**
 * The refresh worker's own entry point (`functions/webhook-refresh.ts`), imported as Lambda imports it,
 * over dynalite and the Graph emulator: Powertools' batch processor reports exactly the messages whose
 * refresh failed for our own reasons, runs a batch's messages at once, and the worker's logs and
 * metrics are still printed.
 */

const [PAGE, FAILING_PAGE] = DEMO_PAGE_IDS;
const PREFIX = 'refresh-lambda/page-';
const TABLE = 'refresh-lambda';

function lambdaContext(requestId: string): Context {
  const functionName = 'refresh-fn';
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

const sqsRecord = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;

describe('the refresh worker as Lambda runs it', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  const secrets = fakeSecretsManager();

  beforeAll(async () => {
    emulator = await startGraphEmulator();
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, TABLE);
    const registry = new PageRegistry({ client: dynamo.client, tableName: TABLE });
    for (const pageId of [PAGE, FAILING_PAGE]) {
      await registry.register({ pageId, token: { kind: 'page-secret' } });
      const page = emulator.pages.get(pageId);
      if (page === undefined) throw new Error('the emulator has no demo page');
      secrets.secrets.set(`${PREFIX}${pageId}`, { value: page.accessToken, version: 'v1' });
    }
    secrets.secrets.set('refresh-lambda/person-key', {
      value: 'fixture-person-key-'.repeat(4),
      version: 'v1',
    });
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDREFRESHTEST',
      AWS_SECRET_ACCESS_KEY: 'refresh-test-secret',
      TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TOKEN_SECRET_PREFIX: PREFIX,
      GRAPH_API_BASE_URL: emulator.url,
      GRAPH_API_VERSION: 'v24.0',
      SYNC_PLATFORMS: 'messenger',
      SYNC_FOLDERS: 'inbox',
      // Only a deferred refresh would send to it; none in this batch is deferred.
      WEBHOOK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/refresh',
      // The person-hash key's secret, as the stack passes it to the functions that hash ids.
      PERSON_KEY_SECRET_ID: 'refresh-lambda/person-key',
      POWERTOOLS_SERVICE_NAME: 'page-conversations-webhook-refresh',
    });
    ({ handler } = await import('../functions/webhook-refresh.js'));
  });
  afterAll(async () => {
    secrets.mock.restore();
    await emulator.close();
    await dynamo.close();
  });

  test('a batch with one failing refresh reports exactly that message; junk is dropped; all run at once', async () => {
    // Prepare: the failing Page's token read fails (Secrets Manager down: our fault, retried), but only
    // once the good Page's token read has started, so a worker that ran the batch one message at a
    // time, the failing one first, would never finish.
    let goodReadStarted: () => void = () => undefined;
    const goodRead = new Promise<void>((resolve) => {
      goodReadStarted = resolve;
    });
    // Page token reads only: the person-hash key's secret is read once per container besides.
    const tokenReads = () =>
      secrets.mock
        .commandCalls(GetSecretValueCommand)
        .filter((call) => call.args[0].input.SecretId?.startsWith(PREFIX) === true).length;
    const callsBefore = tokenReads();
    secrets.mock.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => {
      if (input.SecretId === `${PREFIX}${FAILING_PAGE}`) {
        await goodRead;
        throw new InternalServiceError({ message: 'Secrets Manager is unavailable.', $metadata: {} });
      }
      goodReadStarted();
      const secret = secrets.secrets.get(input.SecretId);
      return { Name: input.SecretId, SecretString: secret?.value, VersionId: secret?.version };
    });
    const personOf = (pageId: string) => {
      const conversation = emulator.pages
        .get(pageId)
        ?.conversations.find(({ platform, folder }) => platform === 'messenger' && folder === 'inbox');
      return conversation?.participants.data[0]?.id ?? '';
    };
    const request = (pageId: string) =>
      JSON.stringify(
        newRefreshRequest({ object: 'page', accountId: pageId, personId: personOf(pageId) }, Date.now()),
      );
    const event = {
      Records: [
        sqsRecord('m-failing', request(FAILING_PAGE)),
        sqsRecord('m-junk', 'not a refresh request'),
        sqsRecord('m-good', request(PAGE)),
      ],
    } as SQSEvent;
    // Act
    const output = captureOutput();
    let result: SQSBatchResponse;
    try {
      result = await handler(event, lambdaContext('request-1'));
    } finally {
      output.stop();
    }
    // Assess
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-failing' }]);
    expect(tokenReads() - callsBefore).toBe(2);
    const printed = output.text();
    const emf = readEmfLines(printed);
    expect(emfTotal(emf, 'WebhookRefreshes', { Outcome: 'refreshed' })).toBe(1);
    expect(emfTotal(emf, 'WebhookRefreshes', { Outcome: 'error' })).toBe(1);
    expect(emfTotal(emf, 'WebhookRefreshes')).toBe(2);
    const logs = printed
      .split('\n')
      .filter((line) => line.startsWith('{') && !line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.filter((line) => line.message === 'webhook refresh crashed')).toEqual([
      expect.objectContaining({ message_id: 'm-failing', function_request_id: 'request-1' }),
    ]);
    expect(logs.filter((line) => line.message === 'refresh message ignored: not a refresh request')).toEqual([
      expect.objectContaining({ message_id: 'm-junk' }),
    ]);
  });
});
