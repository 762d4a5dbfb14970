import { createHash } from 'node:crypto';
import { type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigurationError, UnknownPageError } from '../domain/errors.js';
import { isKnownRejected, storedTokenRejection, type VersionedCredentials } from '../domain/page.js';
import { registerSecret } from '../telemetry/redaction.js';
import {
  type PageCredentials,
  type PageDirectory,
  parseCredentials,
  type TokenSource,
} from './token-source.js';

/**
 * Parses `{"<pageId>": "<token>"}` or `{"<pageId>": {"access_token", "app_secret"}}`: the format of
 * `PAGE_TOKENS_FILE` and of a shared secret.
 */
export function parseTokenMap(json: unknown, origin: string): Map<string, PageCredentials> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigurationError(`${origin} must hold a JSON object keyed by page id.`);
  }
  const tokens = new Map<string, PageCredentials>();
  for (const [pageId, value] of Object.entries(json)) {
    if (!/^\d+$/.test(pageId))
      throw new ConfigurationError(`${origin}: "${pageId}" is not a page id (digits).`);
    const credentials = parseCredentials(value);
    if (credentials === undefined) {
      throw new ConfigurationError(`${origin}: page ${pageId} has neither a token nor "access_token".`);
    }
    tokens.set(pageId, credentials);
  }
  return tokens;
}

/**
 * A file entry's stand-in for a secret's version: a digest of the credentials, so that editing a Page's
 * token in the file is a new version, as a PutSecretValue would be. Not reversible to the token.
 */
export function fileEntryVersion(credentials: PageCredentials): string {
  return createHash('sha256')
    .update(`${credentials.accessToken}\0${credentials.appSecret ?? ''}`)
    .digest('base64url')
    .slice(0, 16);
}

/** How often the watch looks at the file; polling survives the rename of an atomic write, fs.watch does not. */
const WATCH_INTERVAL_MS = 500;

/**
 * The local stand-in of Secrets Manager: a fixed map (demo tokens) or `PAGE_TOKENS_FILE`, re-read when
 * the file changes (and on `reload`), so that replacing a token in the file behaves like rotating a
 * secret. With a registry it serves registered Pages only and refuses a Page whose entry Graph rejected
 * until the entry changes, as the Secrets Manager source does.
 */
export class FileTokenSource implements TokenSource {
  private watcher: StatWatcher | undefined;

  private constructor(
    private tokens: Map<string, PageCredentials>,
    private readonly path: string | undefined,
    private readonly registry: PageDirectory | undefined,
  ) {}

  static fromMap(tokens: Map<string, PageCredentials>, registry?: PageDirectory): FileTokenSource {
    for (const credentials of tokens.values()) {
      registerSecret(credentials.accessToken);
      registerSecret(credentials.appSecret);
    }
    return new FileTokenSource(new Map(tokens), undefined, registry);
  }

  /** With `watch`, the file is re-read whenever it changes, until `close`. */
  static async fromFile(
    path: string,
    options: { registry?: PageDirectory; watch?: boolean } = {},
  ): Promise<FileTokenSource> {
    const source = new FileTokenSource(await readTokenFile(path), path, options.registry);
    if (options.watch === true) source.watch(path);
    return source;
  }

  async get(pageId: string): Promise<VersionedCredentials> {
    const record = await this.registry?.find(pageId);
    if (this.registry !== undefined && record === undefined) throw new UnknownPageError(pageId);
    const credentials = this.entry(pageId);
    if (isKnownRejected(record, credentials)) throw storedTokenRejection(record?.health.error);
    return credentials;
  }

  async reload(pageId: string): Promise<VersionedCredentials> {
    if (this.path !== undefined) this.tokens = await readTokenFile(this.path);
    if (this.registry !== undefined && (await this.registry.find(pageId)) === undefined) {
      throw new UnknownPageError(pageId);
    }
    return this.entry(pageId);
  }

  /** The registered Pages with a registry; every Page of the file without one. */
  async listPageIds(): Promise<string[]> {
    if (this.registry !== undefined) return this.registry.listPageIds();
    return [...this.tokens.keys()].sort();
  }

  /** Every Page the file or map holds: what the local runtime registers at start. */
  entries(): ReadonlyMap<string, PageCredentials> {
    return this.tokens;
  }

  close(): void {
    if (this.watcher !== undefined && this.path !== undefined) unwatchFile(this.path);
    this.watcher = undefined;
  }

  private entry(pageId: string): VersionedCredentials {
    const credentials = this.tokens.get(pageId);
    if (credentials === undefined) throw new UnknownPageError(pageId);
    return { ...credentials, secretVersion: fileEntryVersion(credentials) };
  }

  private watch(path: string): void {
    this.watcher = watchFile(
      path,
      { interval: WATCH_INTERVAL_MS, persistent: false },
      (current, previous) => {
        if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
        // A file caught half-written, or briefly gone during a rename, keeps the last good tokens.
        readTokenFile(path).then(
          (tokens) => {
            this.tokens = tokens;
          },
          () => undefined,
        );
      },
    );
  }
}

async function readTokenFile(path: string): Promise<Map<string, PageCredentials>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error: unknown) {
    throw new ConfigurationError(`PAGE_TOKENS_FILE (${path}) cannot be read as JSON.`, { cause: error });
  }
  return parseTokenMap(json, `PAGE_TOKENS_FILE (${path})`);
}
