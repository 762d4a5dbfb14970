import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { DEMO_PAGE_IDS, type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { bundleEntry } from './bench/bundles.js';

const run = promisify(execFile);
const PAGE = DEMO_PAGE_IDS[0];
const PREFIX = 'smoke/page-';

/** Secrets Manager's JSON protocol, just `GetSecretValue`, answering from the emulator's tokens. */
async function startSecretsManager(
  emulator: GraphEmulator,
): Promise<{ url: string; server: Server; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      calls.push(String(request.headers['x-amz-target']));
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      const page = emulator.pages.get(SecretId.slice(PREFIX.length));
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (page === undefined) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      response.end(JSON.stringify({ Name: SecretId, SecretString: page.accessToken }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, calls };
}

function event(path: string) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: 'limit=2',
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' },
    requestContext: {
      domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'smoke' },
      requestId: 'smoke-1',
      stage: '$default',
    },
    isBase64Encoded: false,
  };
}

describe('the deployable API bundle', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let secrets: Awaited<ReturnType<typeof startSecretsManager>>;
  beforeAll(async () => {
    emulator = await startGraphEmulator();
    dynamo = await startEmbeddedDynamo();
    await ensureTable(dynamo.client, 'smoke');
    // A deployment serves the Pages of its registry: this one is registered, its token in its own secret.
    await new PageRegistry({ client: dynamo.client, tableName: 'smoke' }).register({
      pageId: PAGE,
      token: { kind: 'page-secret' },
    });
    secrets = await startSecretsManager(emulator);
  });
  afterAll(async () => {
    secrets.server.close();
    await emulator.close();
    await dynamo.close();
  });

  test('built as CDK builds it (ESM, SDK inside, Lambda credentials), it answers a real request', async () => {
    // Prepare
    const bundle = bundleEntry('smoke-api', 'functions/api.ts');
    const script = `
      const { handler } = await import(${JSON.stringify(`file://${bundle.file}`)});
      const context = { awsRequestId: 'smoke', getRemainingTimeInMillis: () => 29000 };
      const result = await handler(${JSON.stringify(event(`/pages/${PAGE}/conversations`))}, context);
      process.stdout.write('RESULT' + JSON.stringify(result));`;
    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST',
        AWS_SECRET_ACCESS_KEY: 'smoke-secret',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        TABLE_NAME: 'smoke',
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        TOKEN_SECRET_PREFIX: PREFIX,
        SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync',
        PRIVACY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/erasure',
        GRAPH_API_BASE_URL: emulator.url,
      },
    });
    // Assess
    const result = JSON.parse(stdout.slice(stdout.indexOf('RESULT') + 6)) as {
      statusCode: number;
      body: string;
    };
    const body = JSON.parse(result.body) as { data: Array<{ id: string }>; paging: { next: string } };
    expect(result.statusCode).toBe(200);
    expect(body.data).toHaveLength(2);
    expect(body.paging.next).toMatch(/^https:\/\/abc\.execute-api\.eu-west-1\.amazonaws\.com\/pages\//);
    expect(secrets.calls).toEqual(['secretsmanager.GetSecretValue']);
    // The SDK's default credential chain stays out: Lambda's environment credentials stand in for it.
    const providers = Object.keys(bundle.metafile.inputs).filter((input) =>
      input.includes('credential-provider-'),
    );
    expect(providers.length).toBeGreaterThan(0);
    expect(providers.every((input) => input.includes('/credential-provider-env/'))).toBe(true);
  });
});
