import { forEachLimited } from '../domain/concurrency.js';
import type { TokenLocation } from '../domain/page.js';
import type { SecretLock } from '../store/secret-lock.js';
import type { SecretWriter } from '../tokens/secret-writer.js';
import {
  fitsSharedSecret,
  isSharedSecretName,
  keepAppSecret,
  sameCredentials,
  serializeSharedSecret,
  sharedSecretName,
} from '../tokens/shared-secret.js';
import { type PageCredentials, parseCredentials, parseTokenMap } from '../tokens/token-source.js';

export type StoreOutcome = 'created' | 'updated' | 'unchanged';

export interface StoredToken {
  location: TokenLocation;
  outcome: StoreOutcome;
}

/** Where the operator's commands put Page tokens: Secrets Manager in AWS, `PAGE_TOKENS_FILE` locally. */
export interface TokenVault {
  readonly description: string;
  /**
   * Stores each Page's token; with `shared`, new Pages go into shared secrets. Unchanged tokens write
   * nothing; a token given without an app secret keeps the one stored for the Page (`keepAppSecret`).
   */
  store(
    tokens: ReadonlyMap<string, PageCredentials>,
    options: { shared: boolean },
  ): Promise<Map<string, StoredToken>>;
  /** What `store` would do, read but not written: the dry run. */
  plan(
    tokens: ReadonlyMap<string, PageCredentials>,
    options: { shared: boolean },
  ): Promise<Map<string, StoredToken>>;
  /** Where a Page's token is, in words an operator can look up: a secret's name, or the file. */
  where(pageId: string, location: TokenLocation): string;
  remove(pageId: string, location: TokenLocation): Promise<void>;
  /** Pages that have a token stored, whether registered or not: what `import` registers. */
  storedPageIds(): Promise<Array<{ pageId: string; location: TokenLocation }>>;
}

const secretValue = (credentials: PageCredentials): string =>
  JSON.stringify(
    credentials.appSecret === undefined
      ? { access_token: credentials.accessToken }
      : { access_token: credentials.accessToken, app_secret: credentials.appSecret },
  );

/**
 * Secrets Manager with the operator's credentials. A Page's own secret is `<prefix><pageId>`. Shared
 * secrets are `<prefix>shared-NNNN`, filled in order up to `SHARED_SECRET_FILL_BYTES`; each write of one
 * is read-merge-write under a DynamoDB lock, so two operators connecting at once lose no token.
 */
export class SecretsManagerVault implements TokenVault {
  readonly description: string;

  constructor(
    private readonly secrets: SecretWriter,
    private readonly prefix: string,
    private readonly lock: SecretLock,
  ) {
    const key = secrets.kmsKeyId === undefined ? 'aws/secretsmanager' : secrets.kmsKeyId;
    this.description = `Secrets Manager, prefix ${prefix}, new secrets encrypted with ${key}`;
  }

  store(tokens: ReadonlyMap<string, PageCredentials>, options: { shared: boolean }) {
    return this.place(tokens, options, true);
  }

  plan(tokens: ReadonlyMap<string, PageCredentials>, options: { shared: boolean }) {
    return this.place(tokens, options, false);
  }

  where(pageId: string, location: TokenLocation): string {
    return location.kind === 'page-secret' ? `${this.prefix}${pageId}` : location.secretId;
  }

  /** Stores (`write`) or only works out where each token goes and whether it changes. */
  private async place(
    tokens: ReadonlyMap<string, PageCredentials>,
    options: { shared: boolean },
    write: boolean,
  ) {
    const results = new Map<string, StoredToken>();
    const shared = await this.sharedContents();
    const sharedHome = new Map<string, string>();
    for (const [name, content] of shared) for (const pageId of content.keys()) sharedHome.set(pageId, name);
    const own = [...tokens.keys()].filter((pageId) => !options.shared && !sharedHome.has(pageId));
    await forEachLimited(own, 8, async (pageId) => {
      results.set(pageId, {
        location: { kind: 'page-secret' },
        outcome: await this.storeOwn(pageId, tokens.get(pageId) as PageCredentials, write),
      });
    });
    let queue = [...tokens.keys()].filter((pageId) => !own.includes(pageId));
    for (let number = 1; queue.length > 0; number++) {
      const name = sharedSecretName(this.prefix, number);
      const here = queue.filter((pageId) => sharedHome.get(pageId) === name || !sharedHome.has(pageId));
      if (here.length === 0) continue;
      const placed = write
        ? await this.lock.withLock(name, () => this.mergeShared(name, here, tokens, true))
        : await this.mergeShared(name, here, tokens, false);
      for (const [pageId, outcome] of placed) {
        results.set(pageId, { location: { kind: 'shared-secret', secretId: name, key: pageId }, outcome });
      }
      queue = queue.filter((pageId) => !placed.has(pageId));
    }
    return results;
  }

  async remove(pageId: string, location: TokenLocation): Promise<void> {
    if (location.kind === 'page-secret') return this.secrets.delete(`${this.prefix}${pageId}`);
    await this.lock.withLock(location.secretId, async () => {
      const current = await this.secrets.read(location.secretId);
      if (current === undefined) return;
      const content = parseTokenMap(JSON.parse(current.value), location.secretId);
      if (!content.delete(location.key)) return;
      await this.secrets.write(location.secretId, serializeSharedSecret(content), { exists: true });
    });
  }

  async storedPageIds(): Promise<Array<{ pageId: string; location: TokenLocation }>> {
    const found: Array<{ pageId: string; location: TokenLocation }> = [];
    for (const name of await this.secrets.listNames(this.prefix)) {
      const suffix = name.slice(this.prefix.length);
      if (/^\d+$/.test(suffix)) found.push({ pageId: suffix, location: { kind: 'page-secret' } });
    }
    for (const [name, content] of await this.sharedContents()) {
      for (const pageId of content.keys())
        found.push({ pageId, location: { kind: 'shared-secret', secretId: name, key: pageId } });
    }
    return found;
  }

  private async storeOwn(pageId: string, given: PageCredentials, write: boolean): Promise<StoreOutcome> {
    const secretId = `${this.prefix}${pageId}`;
    const current = await this.secrets.read(secretId);
    const before = current === undefined ? undefined : parseCredentials(current.value);
    const credentials = keepAppSecret(before, given);
    if (current !== undefined && sameCredentials(before, credentials)) return 'unchanged';
    if (write)
      await this.secrets.write(secretId, secretValue(credentials), { exists: current !== undefined });
    return current === undefined ? 'created' : 'updated';
  }

  /** Under the lock when writing: the secret as it is now, plus as many of `pageIds` as fit. */
  private async mergeShared(
    name: string,
    pageIds: string[],
    tokens: ReadonlyMap<string, PageCredentials>,
    write: boolean,
  ) {
    const current = await this.secrets.read(name);
    const content =
      current === undefined
        ? new Map<string, PageCredentials>()
        : parseTokenMap(JSON.parse(current.value), name);
    const placed = new Map<string, StoreOutcome>();
    let changed = false;
    for (const pageId of pageIds) {
      const before = content.get(pageId);
      const credentials = keepAppSecret(before, tokens.get(pageId) as PageCredentials);
      if (sameCredentials(before, credentials)) {
        placed.set(pageId, 'unchanged');
        continue;
      }
      content.set(pageId, credentials);
      if (!fitsSharedSecret(serializeSharedSecret(content))) {
        if (before === undefined) content.delete(pageId);
        else content.set(pageId, before);
        continue;
      }
      placed.set(pageId, before === undefined ? 'created' : 'updated');
      changed = true;
    }
    if (changed && write)
      await this.secrets.write(name, serializeSharedSecret(content), { exists: current !== undefined });
    return placed;
  }

  /** Every shared secret, in order: they are numbered without gaps, so reading stops at the first missing. */
  private async sharedContents(): Promise<Map<string, Map<string, PageCredentials>>> {
    const contents = new Map<string, Map<string, PageCredentials>>();
    for (let number = 1; ; number++) {
      const name = sharedSecretName(this.prefix, number);
      const current = await this.secrets.read(name);
      if (current === undefined) return contents;
      if (isSharedSecretName(this.prefix, name))
        contents.set(name, parseTokenMap(JSON.parse(current.value), name));
    }
  }
}
