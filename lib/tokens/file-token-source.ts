import { readFile } from 'node:fs/promises';
import { ConfigurationError, UnknownPageError } from '../domain/errors.js';
import { registerSecret } from '../telemetry/redaction.js';
import { type PageCredentials, parseCredentials, type TokenSource } from './token-source.js';

/** Parses `{"<pageId>": "<token>"}` or `{"<pageId>": {"access_token", "app_secret"}}`. */
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
 * The local stand-in of Secrets Manager: a fixed map (demo tokens) or `PAGE_TOKENS_FILE`, which is read
 * again on `reload` so that replacing a token in the file behaves like rotating a secret.
 */
export class FileTokenSource implements TokenSource {
  private constructor(
    private tokens: Map<string, PageCredentials>,
    private readonly path: string | undefined,
  ) {}

  static fromMap(tokens: Map<string, PageCredentials>): FileTokenSource {
    for (const credentials of tokens.values()) {
      registerSecret(credentials.accessToken);
      registerSecret(credentials.appSecret);
    }
    return new FileTokenSource(new Map(tokens), undefined);
  }

  static async fromFile(path: string): Promise<FileTokenSource> {
    return new FileTokenSource(await readTokenFile(path), path);
  }

  async get(pageId: string): Promise<PageCredentials> {
    const credentials = this.tokens.get(pageId);
    if (credentials === undefined) throw new UnknownPageError(pageId);
    return credentials;
  }

  async reload(pageId: string): Promise<PageCredentials> {
    if (this.path !== undefined) this.tokens = await readTokenFile(this.path);
    return this.get(pageId);
  }

  async listPageIds(): Promise<string[]> {
    return [...this.tokens.keys()].sort();
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
