import { createHash } from 'node:crypto';
import { type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ConfigurationError, UnknownPageError } from '../domain/errors.js';
import { isKnownRejected, storedTokenRejection, type VersionedCredentials } from '../domain/page.js';
import { registerSecret } from '../telemetry/redaction.js';
import { type PageCredentials, type PageDirectory, parseTokenMap, type TokenSource } from './token-source.js';

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
 * A file modified this recently may be modified again without its modification time changing (file
 * systems stamp times from a coarse clock, and an inode freed by a rename may be reused): its `stat`
 * alone is not trusted until it is this old, and its content is compared instead.
 */
const RACY_MS = 2_000;

/**
 * `PAGE_TOKENS_FILE`, parsed once per version of its content, so that asking for the tokens of 10,000
 * Pages at start costs 10,000 `stat`s and one parse, not 10,000 parses of the whole file. A version is
 * told by `stat` (device, inode, size, modification and change times) once the file is older than
 * `RACY_MS`; before that, by a digest of its bytes. Concurrent askers share one read. A file that cannot
 * be read or parsed after a good one keeps the good one (an editor caught half-way, a rename's brief
 * gap): the local stand-in of a secret whose new version failed to be written.
 */
export class TokenFile {
  private snapshot:
    | { stamp: string; settled: boolean; digest: string; tokens: Map<string, PageCredentials> }
    | undefined;
  private pending: Promise<Map<string, PageCredentials>> | undefined;
  private counts = { reads: 0, parses: 0 };

  constructor(readonly path: string) {}

  /** How many times the file was read, and parsed: what the cache saves is counted here. */
  get usage(): { readonly reads: number; readonly parses: number } {
    return { ...this.counts };
  }

  /** The tokens of the file's current version; throws `ConfigurationError` only before a good read. */
  async tokens(): Promise<Map<string, PageCredentials>> {
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<Map<string, PageCredentials>> {
    try {
      // Stamped before reading: a change between the two is read again next time, never missed.
      const { stamp, modifiedMs } = await fileStamp(this.path);
      const known = this.snapshot;
      if (known?.settled === true && known.stamp === stamp) return known.tokens;
      const settled = Date.now() - modifiedMs > RACY_MS;
      this.counts.reads += 1;
      const text = await readTokenText(this.path);
      const digest = createHash('sha256').update(text).digest('base64url');
      if (known?.digest === digest) {
        this.snapshot = { ...known, stamp, settled };
        return known.tokens;
      }
      this.counts.parses += 1;
      const tokens = parseTokenText(text, this.path);
      this.snapshot = { stamp, settled, digest, tokens };
      return tokens;
    } catch (error: unknown) {
      if (this.snapshot !== undefined) return this.snapshot.tokens;
      if (error instanceof ConfigurationError) throw error;
      throw new ConfigurationError(`PAGE_TOKENS_FILE (${this.path}) cannot be read.`, { cause: error });
    }
  }
}

async function fileStamp(path: string): Promise<{ stamp: string; modifiedMs: number }> {
  const info = await stat(path, { bigint: true });
  return {
    stamp: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
    modifiedMs: Number(info.mtimeMs),
  };
}

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
    private readonly file: TokenFile | undefined,
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
    const file = new TokenFile(path);
    const source = new FileTokenSource(await file.tokens(), file, options.registry);
    if (options.watch === true) source.watch(path);
    return source;
  }

  /** How many times the file was read and parsed (none for a fixed map). */
  get fileUsage(): { readonly reads: number; readonly parses: number } {
    return this.file?.usage ?? { reads: 0, parses: 0 };
  }

  async get(pageId: string): Promise<VersionedCredentials> {
    const record = await this.registry?.find(pageId);
    if (this.registry !== undefined && record === undefined) throw new UnknownPageError(pageId);
    const credentials = this.entry(pageId);
    if (isKnownRejected(record, credentials)) throw storedTokenRejection(record?.health.error);
    return credentials;
  }

  /**
   * The Page's entry as the file holds it now: read again only if the file changed since it was last
   * read, and the last good version if it cannot be read (so a Graph rejection stays a rejection).
   */
  async reload(pageId: string): Promise<VersionedCredentials> {
    if (this.file !== undefined) this.tokens = await this.file.tokens();
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
    if (this.watcher !== undefined && this.file !== undefined) unwatchFile(this.file.path);
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
        this.file?.tokens().then(
          (tokens) => {
            this.tokens = tokens;
          },
          () => undefined,
        );
      },
    );
  }
}

async function readTokenText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigurationError(`PAGE_TOKENS_FILE (${path}) cannot be read.`, { cause: error });
  }
}

/**
 * Parses a tokens file's text. JSON.parse's own message quotes the text near the fault, which may be a
 * token: it is neither kept as the cause nor repeated.
 */
export function parseTokenText(text: string, path: string): Map<string, PageCredentials> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`PAGE_TOKENS_FILE (${path}) is not valid JSON.`);
  }
  return parseTokenMap(json, `PAGE_TOKENS_FILE (${path})`);
}
