import { createServer, type Server, type Socket } from 'node:net';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ExpectStatic } from 'vitest';
import { describe, it } from 'vitest';
import { createWebhookHandler } from '#lib/http/webhook-handler.js';
import { startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator.js';
import { createSecretsManagerClient, SECRETS_TIMEOUTS } from '#lib/tokens/secrets-client.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { SecretsManagerWebhookSecrets } from '#lib/webhooks/webhook-secrets.js';
import { recordingLogger, startHarness } from './support/harness.js';

/**
 * Secrets Manager that accepts connections and never answers: the contract's 3-second rule holds for
 * it as for DynamoDB. The Page-token route and the webhook receiver answer `503 unavailable` with
 * `Retry-After`, both through the product's one Secrets Manager client (`createSecretsManagerClient`),
 * after exactly its attempts. The real SDK over a real socket waits its own timeouts (about 2 s); the
 * two cases wait concurrently.
 */

/** The contract's deadline for a `503` when Secrets Manager does not answer. */
const DEADLINE_MS = 3_000;
/** The SDK's pause before a retry after a timeout: a random share of 100 ms × 2^retry (at most 200 ms). */
const MAX_RETRY_DELAY_MS = 200;
const PAGE = DEMO_PAGE_IDS[0];

interface SilentServer {
  url: string;
  /** Requests read (each attempt is one), on any connection. */
  requests(): number;
  close(): Promise<void>;
}

async function startSilentSecretsManager(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // The SDK writes a request's head in one chunk that starts with its request line.
    socket.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 5).toString('latin1') === 'POST ') requests += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The product's client, pointed at the silent server (fake credentials: nothing leaves the machine). */
function clientOf(server: SilentServer): SecretsManagerClient {
  return createSecretsManagerClient({
    endpoint: server.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSECRETSSTALL', secretAccessKey: 'secrets-stall-test' },
  });
}

async function expectUnavailable(response: Response, expect: ExpectStatic): Promise<void> {
  const body = (await response.json()) as { error: { code: string } };
  expect(response.status).toBe(503);
  expect(body.error.code).toBe('unavailable');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

/** The client's timeouts as the SDK resolved them, and the worst case they allow. */
async function expectTimeoutsWithinDeadline(
  client: SecretsManagerClient,
  expect: ExpectStatic,
): Promise<void> {
  const handler = client.config.requestHandler as unknown as {
    httpHandlerConfigs(): {
      connectionTimeout?: number;
      requestTimeout?: number;
      throwOnRequestTimeout?: boolean;
    };
  };
  const resolved = handler.httpHandlerConfigs();
  const maxAttempts = await client.config.maxAttempts();
  expect({ ...resolved, maxAttempts }).toMatchObject({ ...SECRETS_TIMEOUTS, throwOnRequestTimeout: true });
  // Each attempt gives up `requestTimeout` after it starts (connecting included).
  const worstCase = maxAttempts * (resolved.requestTimeout ?? Number.POSITIVE_INFINITY);
  expect(worstCase + (maxAttempts - 1) * MAX_RETRY_DELAY_MS).toBeLessThan(DEADLINE_MS);
}

describe.concurrent('Secrets Manager that accepts connections and never answers', () => {
  it('the conversations route answers 503 unavailable after the client’s two bounded attempts', async ({
    expect,
    onTestFinished,
  }) => {
    // Prepare: Page tokens read from Secrets Manager, as in AWS.
    const server = await startSilentSecretsManager();
    onTestFinished(() => server.close());
    const client = clientOf(server);
    const harness = await startHarness({
      tokens: new SecretsManagerTokenSource({ client, prefix: 'stall/page-' }),
      logger: recordingLogger(),
    });
    onTestFinished(() => harness.close());
    // Act
    const response = await fetch(`${harness.api.url}/pages/${PAGE}/conversations`);
    // Assess
    await expectUnavailable(response, expect);
    expect(server.requests()).toBe(SECRETS_TIMEOUTS.maxAttempts);
    expect(harness.emulator.calls).toEqual([]);
    await expectTimeoutsWithinDeadline(client, expect);
  });

  it('the webhook receiver answers 503 unavailable, reading its secret with the same client', async ({
    expect,
    onTestFinished,
  }) => {
    // Prepare: the receiver as Lambda builds it (its source makes its own client, as in AWS, here
    // pointed at the silent server by the SDK's endpoint variable); its queue is never reached.
    const server = await startSilentSecretsManager();
    onTestFinished(() => server.close());
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDSECRETSSTALL',
      AWS_SECRET_ACCESS_KEY: 'secrets-stall-test',
    };
    const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    onTestFinished(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });
    const secrets = new SecretsManagerWebhookSecrets({ secretId: 'stall/meta-webhooks' });
    const sent: unknown[] = [];
    const handler = createWebhookHandler({
      secrets,
      queue: {
        send: async (requests) => {
          sent.push(...requests);
        },
      },
      logger: recordingLogger(),
      now: () => new Date(),
    });
    const api = await startLocalApi(handler);
    onTestFinished(() => api.close());
    // Act
    const response = await fetch(
      `${api.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=anything&hub.challenge=42`,
    );
    // Assess
    await expectUnavailable(response, expect);
    expect(server.requests()).toBe(SECRETS_TIMEOUTS.maxAttempts);
    expect(sent).toEqual([]);
    // The client the source built for itself: the product's one configuration, not a copy of its own.
    await expectTimeoutsWithinDeadline(
      (secrets as unknown as { client: SecretsManagerClient }).client,
      expect,
    );
  });
});
