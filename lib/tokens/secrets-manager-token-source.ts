import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, UnknownPageError } from '../domain/errors.js';
import {
  isKnownRejected,
  type PageRecord,
  storedTokenRejection,
  type TokenLocation,
  type VersionedCredentials,
} from '../domain/page.js';
import { SecretCache, type SecretValue } from './secret-cache.js';
import { createSecretsManagerClient, isSecretMissing } from './secrets-client.js';
import {
  type PageCredentials,
  type PageDirectory,
  parseCredentials,
  parseTokenMap,
  type TokenSource,
} from './token-source.js';

export interface SecretsManagerTokenSourceOptions {
  client: SecretsManagerClient;
  /** The secret of page P is `<prefix><P>`; shared secrets are named under the same prefix. */
  prefix: string;
  /**
   * The registry. Without it every page has its own secret and none is ever refused: how tests and
   * benches that are not about the registry use this source.
   */
  registry?: PageDirectory;
  /** How long a secret is served from memory; also the longest a rotated token waits unnoticed. */
  cacheSeconds?: number;
  now?: () => number;
}

/**
 * Page tokens from Secrets Manager. The registry says where a Page's token lives (its own secret, or an
 * entry of a shared one) and whether Graph rejected it at the secret's current version; such a Page is
 * refused at once, without a Graph call, until its secret changes. Secrets are cached per secret id, so
 * all Pages of a shared secret cost one read per cache period.
 */
export class SecretsManagerTokenSource implements TokenSource {
  private readonly secrets: SecretCache;
  /** Parsed shared secrets, by secret id, kept while their version stays the same. */
  private readonly parsed = new Map<
    string,
    { version: string | undefined; tokens: Map<string, PageCredentials> }
  >();

  constructor(private readonly options: SecretsManagerTokenSourceOptions) {
    this.secrets = new SecretCache({
      client: options.client,
      ...(options.cacheSeconds === undefined ? {} : { cacheSeconds: options.cacheSeconds }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  async get(pageId: string): Promise<VersionedCredentials> {
    const record = await this.locate(pageId);
    const credentials = await this.read(pageId, record?.token, false);
    if (isKnownRejected(record, credentials)) throw storedTokenRejection(record?.health.error);
    return credentials;
  }

  async reload(pageId: string): Promise<VersionedCredentials> {
    const record = await this.locate(pageId);
    return this.read(pageId, record?.token, true);
  }

  /** The registered Pages: the registry, never a listing of secrets. */
  async listPageIds(): Promise<string[]> {
    if (this.options.registry === undefined) {
      throw new ConfigurationError('The Pages to serve come from the registry; none was given.');
    }
    return this.options.registry.listPageIds();
  }

  private async locate(pageId: string): Promise<PageRecord | undefined> {
    if (this.options.registry === undefined) return undefined;
    const record = await this.options.registry.find(pageId);
    if (record === undefined) throw new UnknownPageError(pageId);
    return record;
  }

  private async read(
    pageId: string,
    location: TokenLocation | undefined,
    fresh: boolean,
  ): Promise<VersionedCredentials> {
    const secretId =
      location?.kind === 'shared-secret' ? location.secretId : `${this.options.prefix}${pageId}`;
    let secret: SecretValue;
    try {
      secret = await (fresh ? this.secrets.reread(secretId) : this.secrets.read(secretId));
    } catch (error: unknown) {
      if (isSecretMissing(error)) throw new UnknownPageError(pageId, { cause: error });
      throw error;
    }
    const credentials =
      location?.kind === 'shared-secret'
        ? this.sharedEntry(secretId, secret).get(location.key)
        : parseCredentials(secret.value);
    // A Page added to a shared secret after this container cached it: read it again once, at once.
    if (credentials === undefined && !fresh) return this.read(pageId, location, true);
    if (credentials === undefined) {
      // Never quote the value: it is meant to be a token.
      throw new ConfigurationError(`The secret of page ${pageId} holds no token for it.`);
    }
    return secret.version === undefined ? credentials : { ...credentials, secretVersion: secret.version };
  }

  private sharedEntry(secretId: string, secret: SecretValue): Map<string, PageCredentials> {
    const known = this.parsed.get(secretId);
    if (known !== undefined && known.version === secret.version) return known.tokens;
    let json: unknown;
    try {
      json = JSON.parse(secret.value ?? '');
    } catch (error: unknown) {
      throw new ConfigurationError(`The shared secret ${secretId} is not JSON.`, { cause: error });
    }
    const tokens = parseTokenMap(json, `The shared secret ${secretId}`);
    this.parsed.set(secretId, { version: secret.version, tokens });
    return tokens;
  }
}

/**
 * How long the functions serve a Page token's secret from memory. An hour, not minutes: nothing waits on
 * it. A token Graph rejects is read again at once (a rotation is seen on its first failing call), and a
 * Page missing from a cached shared secret is too (one just connected); a rotated token whose old one
 * still works is used until the hour ends, harmlessly. Each read costs $0.05 per 10,000 and a KMS request.
 */
export const PAGE_TOKEN_CACHE_SECONDS = 3600;

/** Page tokens of the secrets under `TOKEN_SECRET_PREFIX`, located by the registry. */
export function createSecretsTokenSource(
  prefix: string,
  registry?: PageDirectory,
): SecretsManagerTokenSource {
  return new SecretsManagerTokenSource({
    client: createSecretsManagerClient(),
    prefix,
    cacheSeconds: PAGE_TOKEN_CACHE_SECONDS,
    ...(registry === undefined ? {} : { registry }),
  });
}
