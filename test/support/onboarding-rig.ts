import { afterAll, afterEach, beforeAll } from 'vitest';
import { GraphAccountsClient } from '#lib/graph/graph-accounts.js';
import { type EmbeddedDynamo, ensureTable, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
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
  /** The product's Graph client with the onboarding calls, against the emulator; closed after the file. */
  graph: GraphAccountsClient;
}

/**
 * What the onboarding tests share: dynalite and the Graph emulator for the file, a fake Secrets Manager
 * per test (there is no local one). Each test makes its own table.
 */
export function useOnboardingRig(options: { emulatorNow?: () => Date } = {}): OnboardingRig {
  const clients: GraphAccountsClient[] = [];
  const rig = {
    async onboarding(settings: { now?: () => Date } = {}): Promise<Onboarding> {
      rig.secrets = fakeSecretsManager();
      const tableName = `onboarding-${Math.random().toString(36).slice(2)}`;
      await ensureTable(rig.dynamo.client, tableName);
      const client = rig.dynamo.client;
      return {
        tableName,
        registry: new PageRegistry({ client, tableName, ...(settings.now ? { now: settings.now } : {}) }),
        vault: new SecretsManagerVault(
          new SecretWriter(rig.secrets.client),
          PREFIX,
          new SecretLock({ client, tableName, retryMs: 5 }),
        ),
        graph: onboardingGraph(rig.emulator.url, clients, settings.now),
      };
    },
  } as OnboardingRig;
  beforeAll(async () => {
    rig.dynamo = await startEmbeddedDynamo();
    rig.emulator = await startGraphEmulator({
      pages: [],
      ...(options.emulatorNow ? { now: options.emulatorNow } : {}),
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await rig.emulator.close();
    await rig.dynamo.close();
  });
  afterEach(() => rig.secrets?.mock.reset());
  return rig;
}

/** A client as the CLI builds it, with retries quick enough for a test (the emulator never makes them wait). */
function onboardingGraph(baseUrl: string, clients: GraphAccountsClient[], now?: () => Date) {
  const client = new GraphAccountsClient({
    baseUrl,
    version: 'v24.0',
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 2,
    ...(now ? { now } : {}),
  });
  clients.push(client);
  return client;
}
