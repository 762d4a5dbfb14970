import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { EMULATOR_APP } from '#lib/local/graph-emulator.js';
import { connectPages, WEBHOOK_FIELDS } from '#lib/pages/connect.js';
import { listPages } from '#lib/pages/page-listing.js';
import { CursorStore } from '#lib/store/cursor-store.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { PREFIX, useOnboardingRig } from './support/onboarding-rig.js';

const rig = useOnboardingRig();

async function onboarding() {
  const { tableName, registry, vault, graph } = await rig.onboarding();
  const started: string[] = [];
  const deps = {
    registry,
    vault,
    graph,
    startSync: async (pageId: string) => {
      started.push(pageId);
      return 'started';
    },
  };
  return { deps, registry, started, tableName };
}

/** 250 Pages: every 10th lacks pages_messaging, every 10th (offset) has no messaging task, every 4th has Instagram. */
function agencyUser() {
  return rig.emulator.createUser({
    pages: 250,
    page: (i) => ({
      ...(i % 10 === 3 ? { withoutScopes: ['pages_messaging'] } : {}),
      ...(i % 10 === 7 ? { tasks: ['ANALYZE', 'ADVERTISE'] } : {}),
      ...(i % 20 === 8 ? { withoutScopes: ['instagram_manage_messages'] } : {}),
      instagram: i % 4 === 0,
    }),
  });
}

describe('npm run pages -- connect', () => {
  test('registers every eligible Page of a 250-Page user in shared secrets, names the others with the reason, and a second run changes nothing', async () => {
    // Prepare
    const { deps, registry, started, tableName } = await onboarding();
    const user = agencyUser();
    // Act
    const first = await connectPages(deps, { userToken: user.token, app: { ...EMULATOR_APP } });
    const writesAfterFirst =
      rig.secrets.calls(CreateSecretCommand) + rig.secrets.calls(PutSecretValueCommand);
    const second = await connectPages(deps, { userToken: user.token, app: { ...EMULATOR_APP } });
    // Assess
    const registered = first.rows.filter((row) => row.action === 'registered');
    const skipped = first.rows.filter((row) => row.action === 'skipped');
    expect(first.rows).toHaveLength(250);
    expect(registered).toHaveLength(200);
    expect(skipped).toHaveLength(50);
    for (const row of skipped) {
      const index = user.pageIds.indexOf(row.pageId);
      expect(row.missing.join('; ')).toMatch(
        index % 10 === 3 ? /permission pages_messaging/ : /task MESSAGING or MODERATE/,
      );
    }
    const instagramMissing = first.rows.filter((row) => user.pageIds.indexOf(row.pageId) % 20 === 8);
    for (const row of instagramMissing) {
      expect(row.action).toBe('registered');
      expect(row.missing).toEqual(['permission instagram_manage_messages (for its Instagram account)']);
    }
    expect(await registry.listPageIds()).toEqual(registered.map((row) => row.pageId).sort());
    expect(started.sort()).toEqual(registered.map((row) => row.pageId).sort());
    const withInstagram = registered.find((row) => row.instagramAccountId !== undefined);
    expect(await registry.pageIdForInstagramAccount(withInstagram?.instagramAccountId ?? '-')).toBe(
      withInstagram?.pageId,
    );
    // More than ten Pages: shared secrets by default, one write for all 200 (their tokens fit in one).
    expect(first.shared).toBe(true);
    expect(writesAfterFirst).toBe(1);
    expect(new Set(registered.map((row) => row.storedIn))).toEqual(new Set([`${PREFIX}shared-0001`]));
    expect(started).toHaveLength(200);
    expect(first.syncsStarted).toBe(200);
    expect(second.rows.filter((row) => row.action === 'unchanged')).toHaveLength(200);
    expect(second.rows.filter((row) => row.action === 'skipped')).toHaveLength(50);
    expect(rig.secrets.calls(CreateSecretCommand) + rig.secrets.calls(PutSecretValueCommand)).toBe(
      writesAfterFirst,
    );
    expect(started).toHaveLength(200);
    // Served: the API's token source finds each registered Page's token, and GET /pages lists them.
    const tokens = new SecretsManagerTokenSource({ client: rig.secrets.client, prefix: PREFIX, registry });
    const sample = registered[17]?.pageId ?? '';
    expect((await tokens.get(sample)).accessToken).toBe(rig.emulator.pages.get(sample)?.accessToken);
    const cursors = new CursorStore({ client: rig.dynamo.client, tableName });
    const listing = await listPages({ registry, cursors, now: () => new Date() }, { limit: 100 });
    expect(listing.data).toHaveLength(100);
    expect(listing.hasNext).toBe(true);
    const next = await listPages(
      { registry, cursors, now: () => new Date() },
      { limit: 100, after: listing.cursors.after },
    );
    const last = await listPages(
      { registry, cursors, now: () => new Date() },
      { limit: 100, after: next.cursors.after },
    );
    expect([...listing.data, ...next.data, ...last.data].map((page) => page.page_id)).toEqual(
      registered.map((row) => row.pageId).sort((a, b) => a.length - b.length || a.localeCompare(b)),
    );
    expect(last.hasNext).toBe(false);
  });

  test('a dry run lists the Pages it would register and the secret each token would go to, and writes nothing', async () => {
    // Prepare: a system user's token (it never expires) managing three Pages, one of them already connected
    const { deps, registry, started } = await onboarding();
    const user = rig.emulator.createUser({
      pages: 4,
      lifetime: 'never',
      page: (i) => (i === 1 ? { tasks: ['ANALYZE'] } : {}),
    });
    const [first = '', , third = '', fourth = ''] = user.pageIds;
    await connectPages(deps, { userToken: user.token });
    const fourthPage = rig.emulator.pages.get(fourth);
    if (fourthPage) fourthPage.accessToken = `${fourthPage.accessToken}-renewed`;
    await registry.remove(third);
    const writes = rig.secrets.calls(CreateSecretCommand) + rig.secrets.calls(PutSecretValueCommand);
    // Act
    const report = await connectPages(deps, { userToken: user.token, dryRun: true });
    // Assess
    expect(report.rows.map((row) => [row.pageId, row.action, row.storedIn])).toEqual([
      [first, 'unchanged', `${PREFIX}${first}`],
      [user.pageIds[1], 'skipped', undefined],
      [third, 'would register', `${PREFIX}${third}`],
      [fourth, 'would update', `${PREFIX}${fourth}`],
    ]);
    expect(await registry.listPageIds()).toEqual([first, fourth]);
    expect(rig.secrets.calls(CreateSecretCommand) + rig.secrets.calls(PutSecretValueCommand)).toBe(writes);
    expect(started).toEqual([first, third, fourth]);
  });

  test('a user token Graph does not know is refused before anything is stored', async () => {
    const { deps, registry } = await onboarding();
    await expect(connectPages(deps, { userToken: 'EMULATOR-USER-TOKEN-unknown' })).rejects.toMatchObject({
      code: 'page_token_invalid',
    });
    expect(await registry.listPageIds()).toEqual([]);
    expect(rig.secrets.calls(GetSecretValueCommand)).toBe(0);
  });
});

describe('connect with --subscribe-webhooks', () => {
  test('subscribes every eligible Page to the webhook fields that name a conversation, and none other', async () => {
    // Prepare
    const { deps } = await onboarding();
    const user = rig.emulator.createUser({
      pages: 4,
      firstPageId: 2_900_000_000_000_001n,
      lifetime: 'long',
      page: (i) => (i === 3 ? { withoutScopes: ['pages_messaging'] } : {}),
    });
    // Act
    const report = await connectPages(deps, { userToken: user.token, subscribeWebhooks: true });
    // Assess
    const registered = report.rows.filter((row) => row.action === 'registered').map((row) => row.pageId);
    const skipped = report.rows.filter((row) => row.action === 'skipped').map((row) => row.pageId);
    expect(registered.length).toBeGreaterThan(0);
    for (const pageId of registered) {
      expect(rig.emulator.subscribedFields(pageId)).toEqual([...WEBHOOK_FIELDS]);
      // Recorded as the registry's own check records it, for GET /pages.
      expect((await deps.registry.get(pageId))?.webhooks?.status).toBe('subscribed');
    }
    for (const pageId of skipped) expect(rig.emulator.subscribedFields(pageId)).toBeUndefined();
  });
});
