import type {
  PageRecord,
  SyncSummary,
  TokenHealth,
  TokenHealthError,
  TokenLocation,
  TokenStatus,
} from '../domain/page.js';
import { TOKEN_STATUSES } from '../domain/page.js';
import { RUN_OUTCOMES, type RunOutcome } from '../domain/sync-state.js';
import { type Item, readString, stringAttribute } from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The registry's items and their attributes. One partition holds every Page so that a Query lists
 * them in order; the sort key is the Page id zero-padded to the longest id the API accepts (32 digits),
 * so that string order is numeric order.
 */
export const PAGES_PARTITION = 'PAGES';
const PAGE_ID_WIDTH = 32;

export const pageSortKey = (pageId: string): string => pageId.padStart(PAGE_ID_WIDTH, '0');

export function pageKey(pageId: string): Item {
  return {
    [TABLE_KEYS.partitionKey]: stringAttribute(PAGES_PARTITION),
    [TABLE_KEYS.sortKey]: stringAttribute(pageSortKey(pageId)),
  };
}

/** The small item that maps an Instagram professional account to its Page, for webhooks. */
export function instagramKey(instagramAccountId: string): Item {
  return {
    [TABLE_KEYS.partitionKey]: stringAttribute(`IGACCOUNT#${instagramAccountId}`),
    [TABLE_KEYS.sortKey]: stringAttribute('PAGE'),
  };
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return (values as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
}

function readLocation(item: Item): TokenLocation {
  const secretId = readString(item, 'token_secret_id');
  if (readString(item, 'token_location') === 'shared-secret' && secretId !== undefined) {
    return {
      kind: 'shared-secret',
      secretId,
      key: readString(item, 'token_key') ?? readString(item, 'page_id') ?? '',
    };
  }
  return { kind: 'page-secret' };
}

function readTokenError(item: Item): TokenHealthError | undefined {
  const text = readString(item, 'token_error');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TokenHealthError;
  } catch {
    return undefined;
  }
}

function readHealth(item: Item): TokenHealth {
  const status: TokenStatus = oneOf(TOKEN_STATUSES, readString(item, 'token_status')) ?? 'unchecked';
  return {
    status,
    checkedAt: readString(item, 'token_checked_at'),
    error: status === 'invalid' ? readTokenError(item) : undefined,
    invalidAtVersion: status === 'invalid' ? readString(item, 'token_invalid_at_version') : undefined,
  };
}

function readSync(item: Item): SyncSummary | undefined {
  const status = oneOf(['idle', 'running', 'failed'] as const, readString(item, 'sync_status'));
  if (status === undefined) return undefined;
  return {
    status,
    syncedAt: readString(item, 'synced_at'),
    lastOutcome: oneOf<RunOutcome>(RUN_OUTCOMES, readString(item, 'sync_last_outcome')),
  };
}

export function readPageRecord(item: Item): PageRecord | undefined {
  const pageId = readString(item, 'page_id');
  if (pageId === undefined) return undefined;
  return {
    pageId,
    name: readString(item, 'name'),
    instagramAccountId: readString(item, 'instagram_account_id'),
    token: readLocation(item),
    health: readHealth(item),
    sync: readSync(item),
    registeredAt: readString(item, 'registered_at') ?? '',
    updatedAt: readString(item, 'updated_at') ?? '',
  };
}

/** The attributes that say where the token lives; a per-Page secret removes the shared ones. */
export function locationAttributes(location: TokenLocation): { set: Item; remove: string[] } {
  if (location.kind === 'shared-secret') {
    return {
      set: {
        token_location: stringAttribute('shared-secret'),
        token_secret_id: stringAttribute(location.secretId),
        token_key: stringAttribute(location.key),
      },
      remove: [],
    };
  }
  return {
    set: { token_location: stringAttribute('page-secret') },
    remove: ['token_secret_id', 'token_key'],
  };
}

export function sameLocation(a: TokenLocation, b: TokenLocation): boolean {
  if (a.kind === 'page-secret' || b.kind === 'page-secret') return a.kind === b.kind;
  return a.secretId === b.secretId && a.key === b.key;
}
