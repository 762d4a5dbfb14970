import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { SecretsManagerVault } from '#lib/pages/token-vault.js';
import { SecretLock } from '#lib/store/secret-lock.js';
import { SecretWriter } from '#lib/tokens/secret-writer.js';
import type { PageCredentials } from '#lib/tokens/token-source.js';
import { PREFIX, useOnboardingRig } from './support/onboarding-rig.js';

/**
 * `npm run pages` in AWS with the stack's customer-managed key (output `EncryptionKeyArn`, given as
 * TOKEN_SECRET_KMS_KEY_ID): the Page token secrets it creates are encrypted with that key, which the
 * functions that read them may use, instead of Secrets Manager's `aws/secretsmanager`.
 */
const rig = useOnboardingRig();
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const token = (accessToken: string): PageCredentials => ({ accessToken });

async function vaultWith(kmsKeyId: string | undefined): Promise<SecretsManagerVault> {
  const { tableName } = await rig.onboarding();
  return new SecretsManagerVault(
    new SecretWriter(rig.secrets.client, { kmsKeyId }),
    PREFIX,
    new SecretLock({ client: rig.dynamo.client, tableName, retryMs: 5 }),
  );
}

const created = () =>
  rig.secrets.mock.commandCalls(CreateSecretCommand).map((call) => ({
    name: call.args[0].input.Name,
    key: call.args[0].input.KmsKeyId,
  }));

describe('Page token secrets and the customer-managed key', () => {
  test('creates every Page token secret, own and shared, with the key given', async () => {
    // Prepare
    const vault = await vaultWith(KEY_ARN);

    // Act
    await vault.store(new Map([['1001', token('EAAB-one')]]), { shared: false });
    await vault.store(new Map([['1002', token('EAAB-two')]]), { shared: true });

    // Assess
    expect(created()).toEqual([
      { name: `${PREFIX}1001`, key: KEY_ARN },
      { name: expect.stringMatching(new RegExp(`^${PREFIX}shared-`)), key: KEY_ARN },
    ]);
    expect(vault.description).toContain(`new secrets encrypted with ${KEY_ARN}`);
  });

  test('writes a new token as a new version of the secret, which keeps its key', async () => {
    // Prepare
    const vault = await vaultWith(KEY_ARN);
    await vault.store(new Map([['1001', token('EAAB-old')]]), { shared: false });

    // Act
    const stored = await vault.store(new Map([['1001', token('EAAB-new')]]), { shared: false });

    // Assess
    expect(stored.get('1001')?.outcome).toBe('updated');
    expect(created()).toHaveLength(1);
    const put = rig.secrets.mock.commandCalls(PutSecretValueCommand);
    expect(put).toHaveLength(1);
    expect(put[0]?.args[0].input).not.toHaveProperty('KmsKeyId');
  });

  test('leaves the key to Secrets Manager (aws/secretsmanager) when none is given', async () => {
    // Prepare
    const vault = await vaultWith(undefined);

    // Act
    await vault.store(new Map([['1001', token('EAAB-one')]]), { shared: false });

    // Assess
    expect(rig.secrets.mock.commandCalls(CreateSecretCommand)[0]?.args[0].input).not.toHaveProperty(
      'KmsKeyId',
    );
    expect(vault.description).toContain('new secrets encrypted with aws/secretsmanager');
  });
});
