import { connect, createServer, type Server, type Socket } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { createLocalServices } from '#lib/local/local-services.js';
import { createDynamoClient, DYNAMO_TIMEOUTS } from '#lib/store/dynamo-client.js';
import { FileTokenSource } from '#lib/tokens/file-token-source.js';
import { recordingLogger } from './support/harness.js';

/**
 * A DynamoDB endpoint the user names (`DYNAMODB_ENDPOINT`) that stops answering: a TCP proxy in front of
 * dynalite forwards until told to stall, then reads every request and answers none. The API must still
 * answer `503 unavailable` within the contract's 3 seconds, on a kept-alive connection as on a fresh
 * one: the client of a named endpoint has the production timeouts, not the embedded DynamoDB's.
 */

/** The contract's deadline for a `503` when DynamoDB does not answer. */
const DEADLINE_MS = 3_000;
/**
 * The SDK's standard retry strategy waits a random share of 100 ms × 2^retry before a retry (the
 * `DEFAULT_RETRY_DELAY_BASE` of @smithy/core's retry module): at most 200 ms for each of ours.
 */
const MAX_RETRY_DELAY_MS = 200;
const TABLE = 'stall';

interface StallingProxy {
  url: string;
  /** From now on, requests are read and never forwarded or answered. */
  stall(): void;
  /** Requests forwarded to dynalite, on any connection. */
  forwarded: number;
  /** Requests read while stalled; `reused` those that came on a connection that had been answered. */
  swallowed: { total: number; reused: number };
  openConnections(): number;
  close(): Promise<void>;
}

async function startStallingProxy(target: string): Promise<StallingProxy> {
  const { port, hostname } = new URL(target);
  const sockets = new Set<Socket>();
  let stalled = false;
  const proxy: StallingProxy = {
    url: '',
    stall: () => {
      stalled = true;
    },
    forwarded: 0,
    swallowed: { total: 0, reused: 0 },
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let answeredBefore = false;
    // The SDK writes a request's head in one chunk that starts with its request line; bodies are JSON.
    client.on('data', (chunk: Buffer) => {
      const startsRequest = chunk.subarray(0, 5).toString('latin1') === 'POST ';
      if (!stalled) {
        if (startsRequest) proxy.forwarded += 1;
        upstream.write(chunk);
      } else if (startsRequest) {
        proxy.swallowed.total += 1;
        if (answeredBefore) proxy.swallowed.reused += 1;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      answeredBefore = true;
      client.write(chunk);
    });
    for (const [one, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      one.on('error', () => other.destroy());
      one.on('close', () => {
        sockets.delete(one);
        other.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  proxy.url = `http://127.0.0.1:${address.port}`;
  return proxy;
}

/** The API over a client of the proxy, built as `DYNAMODB_ENDPOINT` builds it: no timeouts given. */
interface Rig {
  proxy: StallingProxy;
  client: DynamoDBClient;
  /** Answers a request to `GET /pages`, which reads the Page registry in DynamoDB. */
  listPages(): Promise<Response>;
  close(): Promise<void>;
}

async function startRig(dynamodbEndpoint: string): Promise<Rig> {
  const proxy = await startStallingProxy(dynamodbEndpoint);
  const client = createDynamoClient({ endpoint: proxy.url });
  const services = createLocalServices({
    config: loadConfig({ GRAPH_API_BASE_URL: 'http://127.0.0.1:9', DYNAMODB_ENDPOINT: proxy.url }),
    dynamo: client,
    tableName: TABLE,
    tokens: FileTokenSource.fromMap(new Map()),
    logger: recordingLogger(),
  });
  const api = await startLocalApi(createApiHandler(services.api));
  return {
    proxy,
    client,
    listPages: () => fetch(`${api.url}/pages`),
    close: async () => {
      await api.close();
      await services.graph.close();
      client.destroy();
      await proxy.close();
    },
  };
}

async function expectUnavailable(response: Response, expect: ExpectStatic): Promise<void> {
  const body = (await response.json()) as { error: { code: string } };
  expect(response.status).toBe(503);
  expect(body.error.code).toBe('unavailable');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** What the client was built with, as the SDK resolved it (read after a first call). */
async function expectProductionTimeouts(client: DynamoDBClient, expect: ExpectStatic): Promise<void> {
  // The SDK's NodeHttpHandler, typed by the little read here rather than by an undeclared package.
  const handler = client.config.requestHandler as unknown as {
    httpHandlerConfigs(): {
      connectionTimeout?: number;
      requestTimeout?: number;
      throwOnRequestTimeout?: boolean;
    };
  };
  const resolved = handler.httpHandlerConfigs();
  const maxAttempts = await client.config.maxAttempts();
  expect({
    connectionTimeout: resolved.connectionTimeout,
    requestTimeout: resolved.requestTimeout,
    throwOnRequestTimeout: resolved.throwOnRequestTimeout,
    maxAttempts,
  }).toEqual({ ...DYNAMO_TIMEOUTS, throwOnRequestTimeout: true });
  // Each attempt gives up `requestTimeout` after it starts (connecting included): within the deadline.
  const worstCase = maxAttempts * (resolved.requestTimeout ?? Number.POSITIVE_INFINITY);
  expect(worstCase + (maxAttempts - 1) * MAX_RETRY_DELAY_MS).toBeLessThan(DEADLINE_MS);
}

// Concurrent: each case has its own proxy, client and API, and waits out the SDK's timeouts.
describe.concurrent('a named DynamoDB endpoint that stops answering', () => {
  let dynalite: EmbeddedDynamo;

  beforeAll(async () => {
    dynalite = await startEmbeddedDynamo();
    await ensureTable(dynalite.client, TABLE);
  });
  afterAll(async () => {
    await dynalite.close();
  });

  it('answers 503 after two bounded attempts when a kept-alive connection stops answering', async ({
    expect,
    onTestFinished,
  }) => {
    // Prepare: one request answered through the proxy leaves its connection open in the SDK's pool.
    const { proxy, client, listPages, close } = await startRig(dynalite.endpoint);
    onTestFinished(close);
    expect((await listPages()).status).toBe(200);
    expect(proxy.forwarded).toBeGreaterThan(0);
    expect(proxy.openConnections()).toBeGreaterThan(0);
    await expectProductionTimeouts(client, expect);
    // Act: the next request goes out on that open connection, which now reads and never answers.
    proxy.stall();
    const response = await listPages();
    // Assess: the first attempt was read on the kept-alive connection; the SDK tried exactly its
    // configured attempts (the second on a new connection) and gave up.
    await expectUnavailable(response, expect);
    expect(proxy.swallowed.reused).toBeGreaterThan(0);
    expect(proxy.swallowed.total).toBe(DYNAMO_TIMEOUTS.maxAttempts);
  });

  it('answers 503 after two bounded attempts when a fresh connection is accepted and never answered', async ({
    expect,
    onTestFinished,
  }) => {
    // Prepare: nothing sent yet, so the first request opens a connection.
    const { proxy, client, listPages, close } = await startRig(dynalite.endpoint);
    onTestFinished(close);
    proxy.stall();
    // Act
    const response = await listPages();
    // Assess
    await expectUnavailable(response, expect);
    expect(proxy.forwarded).toBe(0);
    expect(proxy.swallowed).toEqual({ total: DYNAMO_TIMEOUTS.maxAttempts, reused: 0 });
    await expectProductionTimeouts(client, expect);
  });
});
