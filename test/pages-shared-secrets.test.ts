import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it, test } from 'vitest';
import { forEachLimited } from '#lib/domain/concurrency.js';
import { connectPages } from '#lib/pages/connect.js';
import {
  PAGE_TOKEN_CACHE_SECONDS,
  SecretsManagerTokenSource,
} from '#lib/tokens/secrets-manager-token-source.js';
import { isSharedSecretName, SECRET_VALUE_MAX_BYTES, useSharedSecrets } from '#lib/tokens/shared-secret.js';
import { parseTokenMap } from '#lib/tokens/token-source.js';
import { PREFIX, useOnboardingRig } from './support/onboarding-rig.js';

const rig = useOnboardingRig();

/** Meta's Page tokens run to about 200 characters: give the emulated ones that length, so sizes are real. */
function realisticTokens(pageIds: readonly string[]): void {
  for (const pageId of pageIds) {
    const page = rig.emulator.pages.get(pageId);
    if (page) page.accessToken = `EMULATOR-PAGE-TOKEN-${pageId}-`.padEnd(210, 'x');
  }
}

async function setup() {
  const { registry, vault, graph } = await rig.onboarding();
  return { registry, deps: { registry, vault, graph } };
}

const sharedSecrets = () =>
  [...rig.secrets.secrets.entries()].filter(([name]) => isSharedSecretName(PREFIX, name));

describe('shared secrets', () => {
  test('1,000 Pages fit in a few shared secrets, and the API reads each secret once per cache period', async () => {
    // Prepare
    const { registry, deps } = await setup();
    const user = rig.emulator.createUser({ pages: 1000, lifetime: 'never' });
    realisticTokens(user.pageIds);
    // Act
    const report = await connectPages(deps, { userToken: user.token, secrets: 'shared' });
    // Assess: how many rig.secrets, and each under Secrets Manager's limit.
    const shared = sharedSecrets();
    console.info(
      `1,000 Pages with 210-character tokens: ${shared.length} shared rig.secrets, ` +
        `largest ${Math.max(...shared.map(([, s]) => Buffer.byteLength(s.value)))} bytes`,
    );
    expect(report.rows.filter((row) => row.action === 'registered')).toHaveLength(1000);
    expect(shared.length).toBeGreaterThan(1);
    expect(shared.length).toBeLessThanOrEqual(10);
    for (const [, secret] of shared)
      expect(Buffer.byteLength(secret.value)).toBeLessThan(SECRET_VALUE_MAX_BYTES);
    // Act 2: every Page's token through the API's token source, twice, then again after the cache period.
    let clock = Date.parse('2026-11-25T12:00:00Z');
    const tokens = new SecretsManagerTokenSource({
      client: rig.secrets.client,
      prefix: PREFIX,
      registry,
      now: () => clock,
    });
    rig.secrets.mock.resetHistory();
    for (let round = 0; round < 2; round++) {
      await forEachLimited(user.pageIds, 20, async (pageId) => void (await tokens.get(pageId)));
    }
    const readsInOnePeriod = rig.secrets.calls(GetSecretValueCommand);
    clock += 301_000;
    const sample = user.pageIds[999] ?? '';
    expect((await tokens.get(sample)).accessToken).toBe(rig.emulator.pages.get(sample)?.accessToken);
    await forEachLimited(user.pageIds, 20, async (pageId) => void (await tokens.get(pageId)));
    // Assess 2
    expect(readsInOnePeriod).toBe(shared.length);
    expect(rig.secrets.calls(GetSecretValueCommand)).toBe(2 * shared.length);
    // 1,000 Pages, each token checked with Graph, stored and registered: a minute on a loaded 2-core machine.
  }, 90_000);

  test('two connects at once into the same shared secrets lose no token', async () => {
    // Prepare: two users whose Pages partly overlap, neither Page set stored yet.
    const { registry, deps } = await setup();
    const alice = rig.emulator.createUser({ pages: 120, lifetime: 'never' });
    const bob = rig.emulator.createUser({ pages: 120, lifetime: 'never' });
    realisticTokens([...alice.pageIds, ...bob.pageIds]);
    // Act
    await Promise.all([
      connectPages(deps, { userToken: alice.token, secrets: 'shared' }),
      connectPages(deps, { userToken: bob.token, secrets: 'shared' }),
    ]);
    // Assess: every Page's token is in exactly one shared secret, and the registry points at it.
    const stored = new Map<string, string>();
    for (const [name, secret] of sharedSecrets()) {
      for (const [pageId, credentials] of parseTokenMap(JSON.parse(secret.value), name)) {
        expect(stored.has(pageId)).toBe(false);
        stored.set(pageId, credentials.accessToken);
      }
    }
    for (const pageId of [...alice.pageIds, ...bob.pageIds]) {
      expect(stored.get(pageId)).toBe(rig.emulator.pages.get(pageId)?.accessToken);
      const record = await registry.get(pageId);
      expect(record?.token.kind).toBe('shared-secret');
    }
    expect(stored.size).toBe(240);
  });
});

describe('a shared secret cached for an hour', () => {
  test('a Page connected into a secret this container cached is served at once, with one more read', async () => {
    // Prepare: a container that read (and cached) the shared secret of Alice's Pages.
    const { registry, deps } = await setup();
    const alice = rig.emulator.createUser({ pages: 12, lifetime: 'never' });
    const bob = rig.emulator.createUser({ pages: 1, lifetime: 'never' });
    await connectPages(deps, { userToken: alice.token, secrets: 'shared' });
    const clock = Date.parse('2026-11-25T12:00:00Z');
    const tokens = new SecretsManagerTokenSource({
      client: rig.secrets.client,
      prefix: PREFIX,
      registry,
      cacheSeconds: PAGE_TOKEN_CACHE_SECONDS,
      now: () => clock,
    });
    await tokens.get(alice.pageIds[0] ?? '');
    // Act: Bob's Page joins the same secret (a new version) while the cached one is still fresh.
    await connectPages(deps, { userToken: bob.token, secrets: 'shared' });
    rig.secrets.mock.resetHistory();
    const bobPage = bob.pageIds[0] ?? '';
    const served = await tokens.get(bobPage);
    await tokens.get(alice.pageIds[1] ?? '');
    // Assess
    expect(sharedSecrets()).toHaveLength(1);
    expect(served.accessToken).toBe(rig.emulator.pages.get(bobPage)?.accessToken);
    expect(rig.secrets.calls(GetSecretValueCommand)).toBe(1);
  });
});

describe('where connect puts tokens by default (cost: $0.40 a month a secret)', () => {
  it.each([
    [1, undefined, false],
    [10, undefined, false],
    [11, undefined, true],
    [5_000, undefined, true],
    [11, 'per-page', false],
    [5_000, 'per-page', false],
    [1, 'shared', true],
  ] as const)('%i Pages, forced %s: shared secrets %s', (pages, forced, shared) => {
    expect(useSharedSecrets(pages, forced)).toBe(shared);
  });

  test('more than ten Pages share secrets unless --secret-per-page; ten or fewer get one each; a Page with a secret of its own keeps it', async () => {
    // Prepare: a system user with 10 Pages, then 12
    const { registry, deps } = await setup();
    const small = rig.emulator.createUser({ pages: 10, lifetime: 'never' });
    const large = rig.emulator.createUser({ pages: 12, lifetime: 'never' });
    const forced = rig.emulator.createUser({ pages: 12, lifetime: 'never' });
    // Act
    const ten = await connectPages(deps, { userToken: small.token });
    const twelve = await connectPages(deps, { userToken: large.token });
    const perPage = await connectPages(deps, { userToken: forced.token, secrets: 'per-page' });
    // The ten Pages' user now manages two more: twelve Pages, the first ten with secrets of their own.
    const grown = rig.emulator.createUser({
      pages: 12,
      lifetime: 'never',
      firstPageId: BigInt(small.pageIds[0] ?? '0'),
    });
    const again = await connectPages(deps, { userToken: grown.token });
    // Assess
    const kinds = async (pageIds: readonly string[]) =>
      Promise.all(pageIds.map(async (pageId) => (await registry.get(pageId))?.token.kind));
    expect([ten.shared, twelve.shared, perPage.shared, again.shared]).toEqual([false, true, false, true]);
    expect(new Set(await kinds(small.pageIds))).toEqual(new Set(['page-secret']));
    expect(new Set(await kinds(large.pageIds))).toEqual(new Set(['shared-secret']));
    expect(new Set(await kinds(forced.pageIds))).toEqual(new Set(['page-secret']));
    expect(await kinds(grown.pageIds)).toEqual([
      ...Array(10).fill('page-secret'),
      'shared-secret',
      'shared-secret',
    ]);
    expect(again.rows.map((row) => row.action)).toEqual([
      ...Array(10).fill('unchanged'),
      'registered',
      'registered',
    ]);
    expect(sharedSecrets()).toHaveLength(1);
  });
});
