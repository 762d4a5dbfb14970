import {
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, UnknownPageError } from '../domain/errors.js';
import { type PageCredentials, parseCredentials, type TokenSource } from './token-source.js';

export interface SecretsManagerTokenSourceOptions {
  client: SecretsManagerClient;
  /** The secret of page P is `<prefix><P>`. */
  prefix: string;
  /** How long a token is served from memory; also the longest a rotated token waits unnoticed. */
  cacheSeconds?: number;
  now?: () => number;
}

interface CacheEntry {
  value: Promise<PageCredentials>;
  expiresAt: number;
}

/**
 * Page tokens from Secrets Manager, cached per container. Concurrent requests for one page share one
 * fetch; a failed fetch is evicted rather than cached, so a transient fault is retried on the next
 * request. (middy's secrets-manager middleware fetches a fixed set of secrets per handler; tokens here
 * are chosen by the request's page, so the cache is the same idea keyed by page.)
 */
export class SecretsManagerTokenSource implements TokenSource {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SecretsManagerTokenSourceOptions) {
    this.cacheMs = (options.cacheSeconds ?? 300) * 1000;
    this.now = options.now ?? Date.now;
  }

  get(pageId: string): Promise<PageCredentials> {
    const cached = this.cache.get(pageId);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.value;
    return this.fetch(pageId);
  }

  reload(pageId: string): Promise<PageCredentials> {
    return this.fetch(pageId);
  }

  async listPageIds(): Promise<string[]> {
    const pageIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page: ListSecretsCommandOutput = await this.options.client.send(
        new ListSecretsCommand({
          Filters: [{ Key: 'name', Values: [this.options.prefix] }],
          MaxResults: 100,
          NextToken: nextToken,
        }),
      );
      for (const secret of page.SecretList ?? []) {
        // The name filter matches prefixes of words too: keep exact `<prefix><digits>` names only.
        const suffix = secret.Name?.startsWith(this.options.prefix)
          ? secret.Name.slice(this.options.prefix.length)
          : '';
        if (/^\d+$/.test(suffix)) pageIds.push(suffix);
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return pageIds.sort();
  }

  private fetch(pageId: string): Promise<PageCredentials> {
    const value = this.read(pageId);
    const entry = { value, expiresAt: this.now() + this.cacheMs };
    this.cache.set(pageId, entry);
    value.catch(() => {
      if (this.cache.get(pageId) === entry) this.cache.delete(pageId);
    });
    return value;
  }

  private async read(pageId: string): Promise<PageCredentials> {
    let secret: string | undefined;
    try {
      const output = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: `${this.options.prefix}${pageId}` }),
      );
      secret = output.SecretString;
    } catch (error: unknown) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        throw new UnknownPageError(pageId, { cause: error });
      }
      throw error;
    }
    const credentials = parseCredentials(secret);
    if (credentials === undefined) {
      // Never quote the value: it is meant to be a token.
      throw new ConfigurationError(
        `The secret of page ${pageId} holds neither a token nor JSON with "access_token".`,
      );
    }
    return credentials;
  }
}

/** Page tokens from the secrets under `TOKEN_SECRET_PREFIX`, with the container's own client. */
export function createSecretsTokenSource(prefix: string): SecretsManagerTokenSource {
  return new SecretsManagerTokenSource({ client: new SecretsManagerClient({}), prefix });
}
