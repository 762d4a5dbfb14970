import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { callAsPage } from '#lib/conversations/page-call.js';
import { PageTokenInvalidError } from '#lib/domain/errors.js';
import { pageView } from '#lib/domain/page.js';
import { GraphAccountsClient } from '#lib/graph/graph-accounts.js';
import { GraphClient } from '#lib/graph/graph-client.js';
import { ensureTable } from '#lib/local/embedded-dynamodb.js';
import { addPage } from '#lib/pages/manage-pages.js';
import { checkPages } from '#lib/pages/page-health.js';
import { SecretsManagerVault } from '#lib/pages/token-vault.js';
import { BackoffStore } from '#lib/store/backoff-store.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { SecretLock } from '#lib/store/secret-lock.js';
import { SecretWriter } from '#lib/tokens/secret-writer.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { fakeSecretsManager } from './support/fake-secrets-manager.js';
import { PREFIX, useOnboardingRig } from './support/onboarding-rig.js';

const rig = useOnboardingRig();

const EXPIRED = {
  kind: 'graph-error' as const,
  status: 400,
  error: {
    message: 'Error validating access token: Session has expired on Friday, 20-Nov-26 10:00:00 PST.',
    type: 'OAuthException',
    code: 190,
    error_subcode: 463,
  },
};

describe('token health', () => {
  test('a token Graph rejects (190/463) is recorded invalid and refused without a Graph call until its secret changes, then valid again', async () => {
    // Prepare: one Page connected; a clock that the caches read.
    let clock = Date.parse('2026-11-25T12:00:00Z');
    const now = () => new Date(clock);
    const { tableName, registry, vault, graph: onboardingGraph } = await rig.onboarding({ now });
    const [pageId = ''] = rig.emulator.createUser({ pages: 1 }).pageIds;
    const page = rig.emulator.pages.get(pageId);
    if (page === undefined) throw new Error('no page');
    await addPage({ registry, vault, graph: onboardingGraph }, pageId, { accessToken: page.accessToken });
    const tokens = new SecretsManagerTokenSource({
      client: rig.secrets.client,
      prefix: PREFIX,
      registry,
      now: () => clock,
    });
    const graph = new GraphClient({ baseUrl: rig.emulator.url, version: 'v24.0', maxAttempts: 1 });
    const deps = {
      tokens,
      backoff: new BackoffStore({ client: rig.dynamo.client, tableName }),
      now,
      registry,
    };
    const list = async () =>
      callAsPage(deps, pageId, await tokens.get(pageId), (credentials) =>
        graph.listConversations(credentials, { pageId, platform: 'messenger', limit: 1, fields: ['id'] }),
      );
    try {
      expect((await registry.get(pageId))?.health.status).toBe('valid');
      // Act 1: Graph rejects the token.
      rig.emulator.inject({ ...EXPIRED, pageId });
      await expect(list()).rejects.toBeInstanceOf(PageTokenInvalidError);
      // Assess 1
      const invalid = await registry.get(pageId);
      if (invalid === undefined) throw new Error('unregistered');
      expect(pageView(invalid).token).toMatchObject({
        status: 'invalid',
        error: { code: 'page_token_invalid', graph: { code: 190, error_subcode: 463 }, reason: 'expired' },
      });
      // Act 2: later calls, past the registry's cache too, are refused without Graph.
      rig.emulator.resetCalls();
      clock += 120_000;
      await expect(list()).rejects.toMatchObject({
        code: 'page_token_invalid',
        graph: { error_subcode: 463 },
      });
      await expect(list()).rejects.toBeInstanceOf(PageTokenInvalidError);
      expect(rig.emulator.callCount(pageId)).toBe(0);
      // Act 3: the operator stores a new token; once the secret's cache period has passed, it is used.
      page.accessToken = `${page.accessToken}-renewed`;
      await vault.store(new Map([[pageId, { accessToken: page.accessToken }]]), { shared: false });
      clock += 301_000;
      const answer = await list();
      // Assess 3
      expect(answer.credentials.accessToken).toBe(page.accessToken);
      expect(rig.emulator.callCount(pageId)).toBe(1);
      expect((await registry.get(pageId))?.health).toMatchObject({ status: 'valid', error: undefined });
    } finally {
      await graph.close();
    }
  });

  test('check marks each token by one Graph call and refreshes the name', async () => {
    rig.secrets = fakeSecretsManager();
    const tableName = `check-${Math.random().toString(36).slice(2)}`;
    await ensureTable(rig.dynamo.client, tableName);
    const registry = new PageRegistry({ client: rig.dynamo.client, tableName });
    const vault = new SecretsManagerVault(
      new SecretWriter(rig.secrets.client),
      PREFIX,
      new SecretLock({ client: rig.dynamo.client, tableName }),
    );
    const graph = new GraphAccountsClient({ baseUrl: rig.emulator.url, version: 'v24.0' });
    const user = rig.emulator.createUser({ pages: 2, page: () => ({ instagram: true }) });
    for (const pageId of user.pageIds) {
      await addPage({ registry, vault, graph }, pageId, {
        accessToken: rig.emulator.pages.get(pageId)?.accessToken ?? '',
      });
    }
    const [good = '', bad = ''] = user.pageIds;
    const goodPage = rig.emulator.pages.get(good);
    if (goodPage) goodPage.name = 'Renamed Page';
    rig.emulator.inject({ ...EXPIRED, pageId: bad });
    rig.emulator.resetCalls();
    const tokens = new SecretsManagerTokenSource({ client: rig.secrets.client, prefix: PREFIX, registry });
    const rows = await checkPages({ registry, tokens, graph }, user.pageIds);
    expect(rows.map((row) => [row.pageId, row.status, row.detail])).toEqual([
      [good, 'valid', undefined],
      [bad, 'invalid', 'expired (Graph 190/463)'],
    ]);
    expect(rig.emulator.callCount()).toBe(2);
    expect((await registry.get(good))?.name).toBe('Renamed Page');
    expect((await registry.get(bad))?.health.status).toBe('invalid');
    expect(rig.secrets.calls(GetSecretValueCommand)).toBeGreaterThan(0);
    await graph.close();
  });
});
