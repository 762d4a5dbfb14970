import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config/config.js';
import { KnownInvalidTokenError } from '#lib/domain/errors.js';
import { tokenHealthError } from '#lib/domain/page.js';
import { createApiHandler } from '#lib/http/api-handler.js';
import { type LocalApi, startLocalApi } from '#lib/local/api-gateway-adapter.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, seedPage, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { createServices, type Services } from '#lib/runtime/services.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { syncPage } from '#lib/sync/page-run.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';
import { FAST_GRAPH, recordingLogger } from './support/harness.js';

/**
 * `GET` and `POST /pages/{pageId}/sync` and `GET /pages/{pageId}` answer for a registered Page whatever
 * its token's health: they read the registry and the state, never the token (which once made them
 * `502 page_token_invalid` for a dead token, and cost a Secrets Manager call per request). Through the
 * real handler over HTTP, dynalite, the Graph emulator, and Secrets Manager behind the real client.
 */

const PREFIX = 'page-conversations/page-';
const DEAD = '4500000000000001';
const UNREGISTERED = '4599999999999999';

describe('the sync and Page routes of a Page whose token Graph rejected', () => {
  let emulator: GraphEmulator;
  let dynamo: EmbeddedDynamo;
  let secrets: ReturnType<typeof fakeSecretsManager>;
  let services: Services;
  let api: LocalApi;
  const started: string[] = [];
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${api.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const secretReads = () => secrets.calls(GetSecretValueCommand);

  beforeAll(async () => {
    // Prepare: the Page is registered and its token stored; an earlier run recorded Graph's rejection
    // (190/463) at the secret's current version. The API's container is cold: nothing cached.
    emulator = await startGraphEmulator({ pages: [seedPage(DEAD, { perPartition: 2 })] });
    dynamo = await startEmbeddedDynamo();
    const tableName = `dead-${Math.random().toString(36).slice(2)}`;
    await ensureTable(dynamo.client, tableName);
    secrets = fakeSecretsManager();
    secrets.secrets.set(`${PREFIX}${DEAD}`, {
      value: emulator.pages.get(DEAD)?.accessToken ?? '',
      version: 'v1',
    });
    const registry = new PageRegistry({ client: dynamo.client, tableName });
    await registry.register({ pageId: DEAD, token: { kind: 'page-secret' } });
    const rejection = new KnownInvalidTokenError('Error validating access token: Session has expired', {
      graph: { code: 190, error_subcode: 463 },
    });
    await registry.markTokenInvalid(DEAD, tokenHealthError(rejection), 'v1');
    services = createServices({
      config: loadConfig({
        GRAPH_API_BASE_URL: emulator.url,
        SYNC_PLATFORMS: 'messenger',
        SYNC_FOLDERS: 'inbox',
      }),
      dynamo: dynamo.client,
      tableName,
      registry,
      tokens: new SecretsManagerTokenSource({ client: secrets.client, prefix: PREFIX, registry }),
      logger: recordingLogger(),
      graph: FAST_GRAPH,
      pacer: { callsPerSecond: Number.POSITIVE_INFINITY },
      // The queue's stand-in: the run is made below, so that the requests' own calls are counted alone.
      starter: () => ({
        start: async (pageId) => {
          started.push(pageId);
        },
      }),
    });
    api = await startLocalApi(createApiHandler(services.api));
  });
  afterAll(async () => {
    await api.close();
    await services.graph.close();
    await emulator.close();
    await dynamo.close();
    secrets.mock.reset();
  });

  it('GET /pages/{pageId}/sync answers its state, reading no secret', async () => {
    const answer = await call(`/pages/${DEAD}/sync`);
    expect(answer.status).toBe(200);
    expect(answer.body.page_id).toBe(DEAD);
    expect(secretReads()).toBe(0);
  });

  it('GET /pages/{pageId} shows the token invalid, with its reason, reading no secret', async () => {
    const answer = await call(`/pages/${DEAD}`);
    expect(answer.status).toBe(200);
    expect(answer.body.token).toMatchObject({ status: 'invalid', error: { reason: 'expired' } });
    expect(secretReads()).toBe(0);
  });

  it('POST /pages/{pageId}/sync is 202 and starts a run, which records the token state without calling Graph', async () => {
    // Act
    const answer = await call(`/pages/${DEAD}/sync`, { method: 'POST' });
    const readsByRequests = secretReads();
    emulator.resetCalls();
    const run = await syncPage(services.sync, DEAD);
    const state = await call(`/pages/${DEAD}/sync`);
    // Assess
    expect([answer.status, answer.body.status]).toEqual([202, 'started']);
    expect(started).toEqual([DEAD]);
    expect(readsByRequests).toBe(0);
    expect(run.outcome).toBe('skipped');
    expect(emulator.callCount(DEAD)).toBe(0);
    const [partition] = state.body.partitions as Array<{
      last_run: { outcome: string; error: { code: string } | null };
    }>;
    expect(partition?.last_run).toMatchObject({ outcome: 'skipped', error: { code: 'page_token_invalid' } });
  });

  it.each(['GET', 'POST'])(
    '%s /pages/{pageId}/sync of a Page not registered is 404 unknown_page',
    async (method) => {
      const answer = await call(`/pages/${UNREGISTERED}/sync`, { method });
      expect(answer.status).toBe(404);
      expect((answer.body.error as { code: string }).code).toBe('unknown_page');
    },
  );
});
