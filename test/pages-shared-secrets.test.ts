import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { forEachLimited } from '#lib/domain/concurrency.js';
import { connectPages } from '#lib/pages/connect.js';
import { SecretsManagerTokenSource } from '#lib/tokens/secrets-manager-token-source.js';
import { isSharedSecretName, SECRET_VALUE_MAX_BYTES } from '#lib/tokens/shared-secret.js';
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
    const user = rig.emulator.createUser({ pages: 1000 });
    realisticTokens(user.pageIds);
    // Act
    const report = await connectPages(deps, { userToken: user.token, shared: true });
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
  });

  test('two connects at once into the same shared secrets lose no token', async () => {
    // Prepare: two users whose Pages partly overlap, neither Page set stored yet.
    const { registry, deps } = await setup();
    const alice = rig.emulator.createUser({ pages: 120 });
    const bob = rig.emulator.createUser({ pages: 120 });
    realisticTokens([...alice.pageIds, ...bob.pageIds]);
    // Act
    await Promise.all([
      connectPages(deps, { userToken: alice.token, shared: true }),
      connectPages(deps, { userToken: bob.token, shared: true }),
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
