import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { isSecretMissing, secretsFailure } from './secrets-client.js';

export interface SecretWriterOptions {
  /**
   * The KMS key a new secret is encrypted with (key id, ARN or alias): the stack's customer-managed
   * key (output `EncryptionKeyArn`), whose use the functions that read Page tokens are granted.
   * Unset: Secrets Manager's own `aws/secretsmanager` key. A new version keeps its secret's key.
   */
  readonly kmsKeyId?: string | undefined;
}

/**
 * Secrets Manager as the operator's commands write it (`npm run pages`, with the operator's own
 * credentials): read with version, create, put a new version, delete, and the one listing of secret
 * names, for `import`. No Lambda function holds any of these actions but GetSecretValue.
 */
export class SecretWriter {
  /** The key new secrets are encrypted with; undefined for `aws/secretsmanager`. */
  readonly kmsKeyId: string | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretWriterOptions = {},
  ) {
    this.kmsKeyId = options.kmsKeyId;
  }

  /** The secret's current value and version; undefined when there is no such secret. */
  async read(secretId: string): Promise<{ value: string; version: string | undefined } | undefined> {
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return { value: output.SecretString ?? '', version: output.VersionId };
    } catch (error: unknown) {
      if (isSecretMissing(error)) return undefined;
      throw secretsFailure(error);
    }
  }

  /**
   * Writes a new version, creating the secret when it does not exist. The request token makes a retried
   * call idempotent (the SDK retries on its own) and becomes the version id.
   */
  async write(
    secretId: string,
    value: string,
    options: { exists: boolean; description?: string },
  ): Promise<string> {
    const token = randomUUID();
    try {
      if (options.exists) {
        await this.client.send(
          new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken: token }),
        );
      } else {
        await this.client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString: value,
            ClientRequestToken: token,
            Description: options.description ?? 'Facebook Page access token for page-conversations',
            ...(this.kmsKeyId === undefined ? {} : { KmsKeyId: this.kmsKeyId }),
          }),
        );
      }
    } catch (error: unknown) {
      throw secretsFailure(error);
    }
    return token;
  }

  /** Deletes a secret, with Secrets Manager's recovery window (7 days) so that a mistake can be undone. */
  async delete(secretId: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: secretId, RecoveryWindowInDays: 7 }));
    } catch (error: unknown) {
      if (!isSecretMissing(error)) throw secretsFailure(error);
    }
  }

  /** Names of the secrets under a prefix: the one place that lists secrets (`import`). */
  async listNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      let page: ListSecretsCommandOutput;
      try {
        page = await this.client.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'name', Values: [prefix] }],
            MaxResults: 100,
            NextToken: nextToken,
          }),
        );
      } catch (error: unknown) {
        throw secretsFailure(error);
      }
      for (const secret of page.SecretList ?? []) {
        // The name filter matches word prefixes anywhere: keep names that really start with the prefix.
        if (secret.Name?.startsWith(prefix)) names.push(secret.Name);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return names.sort();
  }
}
