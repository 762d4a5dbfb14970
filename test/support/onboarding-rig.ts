import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import { OnboardingGraph } from '#lib/pages/onboarding-graph.js';
import { SecretsManagerVault } from '#lib/pages/token-vault.js';
import { PageRegistry } from '#lib/store/page-registry.js';
import { SecretLock } from '#lib/store/secret-lock.js';
import { SecretWriter } from '#lib/tokens/secret-writer.js';
import { fakeSecretsManager } from './fake-secrets-manager.js';

/** The Secrets Manager prefix the onboarding tests store Page tokens under. */
export const PREFIX = 'page-conversations/page-';

export interface OnboardingRig {
  dynamo: EmbeddedDynamo;
  /** An emulator without seeded Pages: the tests create users who manage theirs. */
  emulator: GraphEmulator;
  /** Set by each test (a fresh fake, by `onboarding`), reset after it. */
  secrets: ReturnType<typeof fakeSecretsManager>;
  /**
   * What the operator's commands run on, for one test: its own table, a fresh fake Secrets Manager,
   * the registry, the vault (per-Page and shared secrets under the DynamoDB lock) and the emulator.
   */
  onboarding(options?: { now?: () => Date }): Promise<Onboarding>;
}

export interface Onboarding {
  tableName: string;
  registry: PageRegistry;
  vault: SecretsManagerVault;
  graph: OnboardingGraph;
}

/**
 * What the onboarding tests share: dynalite and the Graph emulator for the file, a fake Secrets Manager
 * per test (there is no local one). Each test makes its own table.
 */
export function useOnboardingRig(): OnboardingRig {
  const rig = {
    async onboarding(options: { now?: () => Date } = {}): Promise<Onboarding> {
      rig.secrets = fakeSecretsManager();
      const tableName = `onboarding-${Math.random().toString(36).slice(2)}`;
      await ensureTable(rig.dynamo.client, tableName);
      const client = rig.dynamo.client;
      return {
        tableName,
        registry: new PageRegistry({ client, tableName, ...(options.now ? { now: options.now } : {}) }),
        vault: new SecretsManagerVault(
          new SecretWriter(rig.secrets.client),
          PREFIX,
          new SecretLock({ client, tableName, retryMs: 5 }),
        ),
        graph: new OnboardingGraph({ baseUrl: rig.emulator.url, version: 'v24.0' }),
      };
    },
  } as OnboardingRig;
  beforeAll(async () => {
    rig.dynamo = await startEmbeddedDynamo();
    rig.emulator = await startGraphEmulator({ pages: [] });
  });
  afterAll(async () => {
    await rig.emulator.close();
    await rig.dynamo.close();
  });
  afterEach(() => rig.secrets?.mock.reset());
  return rig;
}
