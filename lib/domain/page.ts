import type { PageCredentials } from './conversation.js';
import { KnownInvalidTokenError, type PageTokenInvalidError } from './errors.js';
import { OTHER_TOKEN_REJECTION, TOKEN_REJECTION_REASONS } from './graph-error-table.js';
import type { PageView, TokenHealthError, WebhookStatus } from './shapes/pages.js';
import type { RunOutcome, SyncStatusWord, TokenStatus } from './shapes/words.js';

/**
 * A Page of the registry: which Pages this deployment serves, where each one's token lives, whether
 * Graph last accepted it, and a summary of its sync. Shared by the registry store, the token sources,
 * the registry's use cases and the HTTP edge, so it lives at the bottom.
 */

/**
 * Numeric order of Page ids in their one form (digits, no leading zero): a shorter id is smaller. The
 * order `GET /pages` lists them in, as the registry's zero-padded keys sort.
 */
export function comparePageIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A token's health, a Page's view and a rejected token's error, as answered (declared with the HTTP shapes). */
export type { PageView, TokenHealthError } from './shapes/pages.js';
export { TOKEN_STATUSES, type TokenStatus } from './shapes/words.js';

/**
 * Where a Page's token lives. `page-secret`: its own secret, `<prefix><pageId>` (the default; locally,
 * its entry in `PAGE_TOKENS_FILE`). `shared-secret`: the entry `key` of a JSON secret holding many Pages.
 */
export type TokenLocation =
  | { kind: 'page-secret' }
  | { kind: 'shared-secret'; secretId: string; key: string };

/** Why Graph rejected a token, by `error_subcode`: declared in the Graph error table. */
export { TOKEN_REJECTION_REASONS } from './graph-error-table.js';

/** The reason the contract names for a rejected token; `rejected` for any other or no subcode. */
export function tokenRejectionReason(subcode: number | undefined): string {
  return (subcode === undefined ? undefined : TOKEN_REJECTION_REASONS[subcode]) ?? OTHER_TOKEN_REJECTION;
}

export interface TokenHealth {
  status: TokenStatus;
  /** ISO 8601; undefined until a Graph call or a check used the token. */
  checkedAt: string | undefined;
  error: TokenHealthError | undefined;
  /**
   * The version of the secret that held the rejected token. While the secret still has this version the
   * token sources refuse the Page without calling Graph; a new version is tried again.
   */
  invalidAtVersion: string | undefined;
}

export interface SyncSummary {
  status: SyncStatusWord;
  syncedAt: string | undefined;
  lastOutcome: RunOutcome | undefined;
}

/** A Page's webhook subscription as last read (`lib/graph/graph-subscriptions.ts`). */
export interface WebhookHealth {
  status: WebhookStatus;
  fields: string[];
  /** ISO 8601: when it was read. */
  checkedAt: string;
}

export interface PageRecord {
  pageId: string;
  name: string | undefined;
  instagramAccountId: string | undefined;
  token: TokenLocation;
  health: TokenHealth;
  sync: SyncSummary | undefined;
  registeredAt: string;
  updatedAt: string;
  /** When a sync run last read the name and Instagram account from Graph; undefined until one did. */
  profileRefreshedAt?: string | undefined;
  /** Undefined until the subscription was first read. */
  webhooks?: WebhookHealth | undefined;
}

/** The contract's view of a registry item. */
export function pageView(record: PageRecord): PageView {
  return {
    page_id: record.pageId,
    name: record.name ?? null,
    instagram_account_id: record.instagramAccountId ?? null,
    token: {
      status: record.health.status,
      checked_at: record.health.checkedAt ?? null,
      error: record.health.error ?? null,
    },
    sync: {
      status: record.sync?.status ?? 'idle',
      synced_at: record.sync?.syncedAt ?? null,
      last_outcome: record.sync?.lastOutcome ?? null,
    },
    webhooks: {
      status: record.webhooks?.status ?? 'unknown',
      fields: record.webhooks?.fields ?? [],
      checked_at: record.webhooks?.checkedAt ?? null,
    },
  };
}

/**
 * Credentials as a token source hands them out, with the version of the secret they came from (Secrets
 * Manager's `VersionId`; locally a digest of the file's entry), so that a rejection can be pinned to it.
 */
export type VersionedCredentials = PageCredentials & { readonly secretVersion?: string };

/** What a rejection is pinned to when the token's source tells no version. */
export const UNKNOWN_SECRET_VERSION = 'unknown';

/** The secret version credentials came from, or `UNKNOWN_SECRET_VERSION`. */
export function secretVersionOf(credentials: PageCredentials): string {
  const version = (credentials as VersionedCredentials).secretVersion;
  return typeof version === 'string' && version !== '' ? version : UNKNOWN_SECRET_VERSION;
}

/**
 * Whether a Page's token must be refused without calling Graph: Graph rejected it, and the secret still
 * has the version it had then.
 */
export function isKnownRejected(record: PageRecord | undefined, credentials: PageCredentials): boolean {
  return (
    record?.health.status === 'invalid' && record.health.invalidAtVersion === secretVersionOf(credentials)
  );
}

/** How a rejected token is recorded and shown, from the error Graph's rejection became. */
export function tokenHealthError(error: PageTokenInvalidError): TokenHealthError {
  const graph: TokenHealthError['graph'] = {};
  if (error.graph?.code !== undefined) graph.code = error.graph.code;
  if (error.graph?.error_subcode !== undefined) graph.error_subcode = error.graph.error_subcode;
  return {
    code: 'page_token_invalid',
    message: error.message.slice(0, 1000),
    graph,
    reason: tokenRejectionReason(graph.error_subcode),
  };
}

/** The error a token source throws, without calling Graph, for a Page recorded invalid at this version. */
export function storedTokenRejection(error: TokenHealthError | undefined): PageTokenInvalidError {
  return new KnownInvalidTokenError(
    error?.message ?? 'Graph rejected this page access token; update its secret to try again.',
    { graph: { ...error?.graph } },
  );
}
