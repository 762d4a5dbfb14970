import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '#lib/local/embedded-dynamodb.js';
import { type GraphEmulator, startGraphEmulator } from '#lib/local/graph-emulator.js';
import type { fakeSecretsManager } from './fake-secrets-manager.js';

/** The Secrets Manager prefix the onboarding tests store Page tokens under. */
export const PREFIX = 'page-conversations/page-';

export interface OnboardingRig {
  dynamo: EmbeddedDynamo;
  /** An emulator without seeded Pages: the tests create users who manage theirs. */
  emulator: GraphEmulator;
  /** Set by each test (a fresh fake), reset after it. */
  secrets: ReturnType<typeof fakeSecretsManager>;
}

/**
 * What the onboarding tests share: dynalite and the Graph emulator for the file, a fake Secrets Manager
 * per test (there is no local one). Each test makes its own table.
 */
export function useOnboardingRig(): OnboardingRig {
  const rig = {} as OnboardingRig;
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
