import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsFailure } from './secrets-client.js';

/** A secret's value and the version it was read at. */
export interface SecretValue {
  value: string | undefined;
  version: string | undefined;
}

interface Entry {
  value: Promise<SecretValue>;
  expiresAt: number;
}

export interface SecretCacheOptions {
  client: SecretsManagerClient;
  /** How long a value is served from memory; also the longest a changed secret goes unnoticed. */
  cacheSeconds?: number;
  now?: () => number;
}

/**
 * GetSecretValue, cached per secret id per container: every Page of a shared secret is served by one
 * read per cache period. Concurrent readers share one fetch; a failed fetch is evicted rather than
 * cached, so a transient fault is retried on the next request (as middy's secrets-manager does).
 */
export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SecretCacheOptions) {
    this.cacheMs = (options.cacheSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  read(secretId: string): Promise<SecretValue> {
    const cached = this.entries.get(secretId);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.value;
    return this.reread(secretId);
  }

  /** Reads past the cache: the secret may have changed since. */
  reread(secretId: string): Promise<SecretValue> {
    const value = this.fetch(secretId);
    const entry = { value, expiresAt: this.now() + this.cacheMs };
    this.entries.set(secretId, entry);
    value.catch(() => {
      if (this.entries.get(secretId) === entry) this.entries.delete(secretId);
    });
    return value;
  }

  private async fetch(secretId: string): Promise<SecretValue> {
    try {
      const output = await this.options.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return { value: output.SecretString, version: output.VersionId };
    } catch (error: unknown) {
      throw secretsFailure(error);
    }
  }
}
