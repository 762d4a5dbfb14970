import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, UnavailableError } from '../domain/errors.js';
import type { PersonStore } from '../store/person-store.js';
import { registerSecret } from '../telemetry/redaction.js';
import { createSecretsManagerClient } from '../tokens/secrets-client.js';
import type { PersonKeySource } from './person-hash.js';

/**
 * The deployment's person-hash key. In AWS: a secret the stack creates with a random value
 * (`PERSON_KEY_SECRET_ID`), never logged (registered for redaction the moment it is read), readable
 * only by the functions that hash ids. Locally: 32 random bytes made once and kept in the local table
 * beside the records they key (`PersonStore.localKey`), so that a restart over the same data keeps it.
 */

/** Shorter keys are not from the stack (it generates 64 characters) and would be guessable. */
const MIN_KEY_LENGTH = 32;

export class SecretsManagerPersonKey implements PersonKeySource {
  private readonly client: Pick<SecretsManagerClient, 'send'>;

  constructor(
    private readonly secretId: string,
    client?: Pick<SecretsManagerClient, 'send'>,
  ) {
    this.client = client ?? createSecretsManagerClient();
  }

  async key(): Promise<Buffer> {
    let value: string | undefined;
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      value = output.SecretString;
    } catch (error: unknown) {
      throw new UnavailableError(undefined, { cause: error });
    }
    if (value === undefined || value.length < MIN_KEY_LENGTH) {
      throw new ConfigurationError(
        `The person-hash key secret must hold at least ${MIN_KEY_LENGTH} characters (the stack generates them).`,
      );
    }
    registerSecret(value);
    return Buffer.from(value, 'utf8');
  }
}

/** The local runtime's key, from its table. */
export class TablePersonKey implements PersonKeySource {
  constructor(private readonly persons: Pick<PersonStore, 'localKey'>) {}

  async key(): Promise<Buffer> {
    const value = await this.persons.localKey(() => randomBytes(32).toString('base64'));
    registerSecret(value);
    return Buffer.from(value, 'base64');
  }
}

/** A key given as it is: tests and benches. */
export const fixedPersonKey = (key: Buffer): PersonKeySource => ({ key: async () => key });
