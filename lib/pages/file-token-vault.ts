import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { TokenLocation } from '../domain/page.js';
import { parseTokenText } from '../tokens/file-token-source.js';
import { keepAppSecret, sameCredentials, serializeSharedSecret } from '../tokens/shared-secret.js';
import type { PageCredentials } from '../tokens/token-source.js';
import type { StoredToken, TokenVault } from './token-vault.js';

/**
 * `PAGE_TOKENS_FILE` as the local secret store: one JSON map, written whole to a temporary file and
 * renamed over the old one (the running local runtime never reads half a file), under a lock file so
 * that two commands at once lose no token. It is one store already, so `--shared` changes nothing here.
 */
export class FileTokenVault implements TokenVault {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = `PAGE_TOKENS_FILE ${path}`;
  }

  async store(tokens: ReadonlyMap<string, PageCredentials>): Promise<Map<string, StoredToken>> {
    return this.locked(async () => {
      const content = await this.read();
      const results = merge(content, tokens);
      if ([...results.values()].some((r) => r.outcome !== 'unchanged')) await this.write(content);
      return results;
    });
  }

  async plan(tokens: ReadonlyMap<string, PageCredentials>): Promise<Map<string, StoredToken>> {
    return merge(await this.read(), tokens);
  }

  where(): string {
    return this.path;
  }

  async remove(pageId: string, _location: TokenLocation): Promise<void> {
    await this.locked(async () => {
      const content = await this.read();
      if (content.delete(pageId)) await this.write(content);
    });
  }

  async storedPageIds(): Promise<Array<{ pageId: string; location: TokenLocation }>> {
    return [...(await this.read()).keys()].map((pageId) => ({ pageId, location: { kind: 'page-secret' } }));
  }

  private async read(): Promise<Map<string, PageCredentials>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error: unknown) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return new Map();
      throw error;
    }
    return parseTokenText(text, this.path);
  }

  private async write(content: Map<string, PageCredentials>): Promise<void> {
    const temporary = `${this.path}.${process.pid}.tmp`;
    // Owner-only: the file holds tokens.
    await writeFile(temporary, `${serializeSharedSecret(content)}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lockPath = `${this.path}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        await (await open(lockPath, 'wx')).close();
        break;
      } catch (error: unknown) {
        const held = error instanceof Error && 'code' in error && error.code === 'EEXIST';
        if (!held || attempt > 200)
          throw new Error(`${lockPath} is held by another command; remove it if none runs.`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lockPath, { force: true });
    }
  }
}

/** Puts the tokens into the file's content (in memory) and says what changed for each Page. */
function merge(
  content: Map<string, PageCredentials>,
  tokens: ReadonlyMap<string, PageCredentials>,
): Map<string, StoredToken> {
  const results = new Map<string, StoredToken>();
  for (const [pageId, given] of tokens) {
    const before = content.get(pageId);
    const credentials = keepAppSecret(before, given);
    const outcome = sameCredentials(before, credentials)
      ? 'unchanged'
      : before === undefined
        ? 'created'
        : 'updated';
    content.set(pageId, credentials);
    results.set(pageId, { location: { kind: 'page-secret' }, outcome });
  }
  return results;
}
