import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { type LocalApi, startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { createLocalServices, type LocalServices } from '#lib/local/local-services.js';
import { createDynamoClient, isStoreOutage } from '#lib/store/dynamo-client.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { FAST_GRAPH, recordingLogger, tokensOf } from './support/harness.js';

/**
 * DynamoDB that cannot answer: a black hole (accepts connections, never answers) and a closed port. The
 * API must answer `503 unavailable` with `Retry-After`, with the production timeouts, and `/health`
 * must not notice.
 */

interface Outage {
  url: string;
  close(): Promise<void>;
}

async function blackHole(): Promise<Outage> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedPort(): Promise<Outage> {
  const hole = await blackHole();
  await hole.close();
  return { url: hole.url, close: async () => undefined };
}

describe.each([
  ['a black-holed DynamoDB', blackHole],
  ['a DynamoDB whose port is closed', closedPort],
])('behind %s', (_, makeOutage) => {
  let outage: Outage;
  let emulator: GraphEmulator;
  let services: LocalServices;
  let api: LocalApi;
  const logger = recordingLogger();

  beforeAll(async () => {
    outage = await makeOutage();
    emulator = await startGraphEmulator();
    services = createLocalServices({
      config: loadConfig({ GRAPH_API_BASE_URL: emulator.url }),
      // No timeouts given: an endpoint a user names gets the production ones.
      dynamo: createDynamoClient({ endpoint: outage.url }),
      tableName: 'unreachable',
      tokens: FileTokenSource.fromMap(tokensOf(emulator)),
      logger,
      graph: FAST_GRAPH,
    });
    api = await startLocalApi(createApiHandler(services.api));
  });

  afterAll(async () => {
    await api.close();
    await services.graph.close();
    await emulator.close();
    await outage.close();
  });

  const page = () => [...emulator.pages.keys()][0] as string;

  // Concurrent: behind the black hole each waits out the SDK's timeouts, and none depends on another.
  it.concurrent.for<[string, () => string]>([
    ['the live conversations', () => `/pages/${page()}/conversations`],
    ['the indexed conversations', () => `/pages/${page()}/conversations?updated_since=2026-01-01T00:00:00Z`],
    ['the sync state', () => `/pages/${page()}/sync`],
  ])('%s answer 503 unavailable with Retry-After', async ([, path], { expect }) => {
    const response = await fetch(`${api.url}${path()}`);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(response.status).toBe(503);
    expect(body.error.code).toBe('unavailable');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps /health at 200: it touches no dependency', async () => {
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('what counts as an outage of the store', () => {
  const named = (name: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('x'), { name }, extra);
  it.each([
    ['a request timeout', named('TimeoutError'), true],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' }), true],
    ['a 500 from DynamoDB', named('InternalServerError', { $metadata: { httpStatusCode: 500 } }), true],
    ['throttling after retries', named('ThrottlingException', { $retryable: { throttling: true } }), true],
    [
      'a failed condition',
      named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }),
      false,
    ],
    [
      'a validation error (a bug)',
      named('ValidationException', { $metadata: { httpStatusCode: 400 } }),
      false,
    ],
    ['not an error at all', 'boom', false],
  ])('%s: %s', (_, error, outage) => {
    expect(isStoreOutage(error)).toBe(outage);
  });
});
