import type { PageCredentials } from '../domain/conversation.js';
import { ConfigurationError } from '../domain/errors.js';
import type { PageRecord } from '../domain/page.js';
import { isPageId } from '../domain/vocabulary.js';
import { registerSecret } from '../telemetry/redaction.js';

export type { PageCredentials } from '../domain/conversation.js';

/**
 * Where page tokens come from: Secrets Manager in AWS, a file or demo tokens locally. Implementations
 * cache, and throw `UnknownPageError` for a page that has no token.
 */
export interface TokenSource {
  get(pageId: string): Promise<PageCredentials>;
  /** Reads the token again, past the cache: the secret may have been rotated since. */
  reload(pageId: string): Promise<PageCredentials>;
  /** Every page that has a token: what the scheduled sync covers. */
  listPageIds(): Promise<string[]>;
}

/** Which Pages exist and where each one's token lives: the registry, read through its short cache. */
export interface PageDirectory {
  find(pageId: string): Promise<PageRecord | undefined>;
  listPageIds(): Promise<string[]>;
}

/**
 * Parses a stored secret: the token as plain text, or JSON `{"access_token", "app_secret"}`.
 * Returns undefined for a value that is neither, so the caller can say which page is misconfigured
 * without ever quoting the value.
 */
export function parseCredentials(value: unknown): PageCredentials | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{')) {
      try {
        return parseCredentials(JSON.parse(text));
      } catch {
        return undefined;
      }
    }
    if (!/^\S+$/.test(text)) return undefined;
    registerSecret(text);
    return { accessToken: text };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.access_token !== 'string' || record.access_token.trim() === '') return undefined;
  const accessToken = record.access_token.trim();
  registerSecret(accessToken);
  if (typeof record.app_secret === 'string' && record.app_secret.trim() !== '') {
    registerSecret(record.app_secret.trim());
    return { accessToken, appSecret: record.app_secret.trim() };
  }
  return { accessToken };
}

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
    // One spelling per Page: "0123" would be a second key for Page 123 in the registry.
    if (!isPageId(pageId))
      throw new ConfigurationError(`${origin}: "${pageId}" is not a page id (digits, no leading zero).`);
    const credentials = parseCredentials(value);
    if (credentials === undefined) {
      throw new ConfigurationError(`${origin}: page ${pageId} has neither a token nor "access_token".`);
    }
    tokens.set(pageId, credentials);
  }
  return tokens;
}
