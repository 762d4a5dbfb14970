import type {
  PageRecord,
  SyncSummary,
  TokenHealth,
  TokenHealthError,
  TokenLocation,
  TokenStatus,
  WebhookHealth,
} from '../domain/page.js';
import { TOKEN_STATUSES } from '../domain/page.js';
import { WEBHOOK_STATUSES } from '../domain/shapes/pages.js';
import { RUN_OUTCOMES, type RunOutcome } from '../domain/sync-state.js';
import { namesOf, type Stored, type Values } from './table.js';

/**
 * A registered Page as stored (`keys.registeredPage`): one item each in the registry's one partition,
 * so that a Query lists them in id order.
 */
export interface RegistryItem {
  page_id: string;
  name: string;
  instagram_account_id: string;
  /** `shared-secret`, or `page-secret` (the default, also for items written before it existed). */
  token_location: string;
  token_secret_id: string;
  /** The Page's key in a shared secret; the Page id when missing. */
  token_key: string;
  /** A `TokenStatus`; read through a check, as are the other words below. */
  token_status: string;
  token_checked_at: string;
  /** `TokenHealthError` as JSON. */
  token_error: string;
  token_invalid_at_version: string;
  /**
   * The sync summary as items written before it moved to its own item (`SyncSummaryItem`) carry it:
   * read only when the Page has no summary item yet.
   */
  sync_status: string;
  synced_at: string;
  sync_last_outcome: string;
  registered_at: string;
  updated_at: string;
  profile_refreshed_at: string;
  /** The webhook subscription as last read (`WebhookHealth`): a `WebhookStatus`, read through a check. */
  webhooks_status: string;
  /** The subscribed fields, comma-separated (each a checked Graph field name). */
  webhooks_fields: string;
  webhooks_checked_at: string;
}

/**
 * The latest run's summary (`keys.syncSummary`), under the Page's own partition: every run writes it,
 * and on the registry's one partition a round of 100,000 Pages would write one key 100,000 times.
 */
export type SyncSummaryItem = Pick<
  RegistryItem,
  'page_id' | 'sync_status' | 'synced_at' | 'sync_last_outcome'
>;

/** The small item that maps an Instagram professional account to its Page (`keys.instagramAccount`). */
export interface InstagramAccountItem {
  page_id: string;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return (values as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
}

function readLocation(item: Stored<RegistryItem>): TokenLocation {
  const secretId = item.token_secret_id;
  if (item.token_location === 'shared-secret' && secretId !== undefined) {
    return { kind: 'shared-secret', secretId, key: item.token_key ?? item.page_id ?? '' };
  }
  return { kind: 'page-secret' };
}

function readTokenError(text: string | undefined): TokenHealthError | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TokenHealthError;
  } catch {
    return undefined;
  }
}

function readHealth(item: Stored<RegistryItem>): TokenHealth {
  const status: TokenStatus = oneOf(TOKEN_STATUSES, item.token_status) ?? 'unchecked';
  return {
    status,
    checkedAt: item.token_checked_at,
    error: status === 'invalid' ? readTokenError(item.token_error) : undefined,
    invalidAtVersion: status === 'invalid' ? item.token_invalid_at_version : undefined,
  };
}

function readSync(item: Stored<SyncSummaryItem>): SyncSummary | undefined {
  const status = oneOf(['idle', 'running', 'failed'] as const, item.sync_status);
  if (status === undefined) return undefined;
  return {
    status,
    syncedAt: item.synced_at,
    lastOutcome: oneOf<RunOutcome>(RUN_OUTCOMES, item.sync_last_outcome),
  };
}

/** The subscription as stored; undefined until one was read (or for an item written by an older version). */
export function readWebhooks(item: Stored<RegistryItem>): WebhookHealth | undefined {
  const status = oneOf(WEBHOOK_STATUSES, item.webhooks_status);
  const checkedAt = item.webhooks_checked_at;
  if (status === undefined || checkedAt === undefined) return undefined;
  const fields = (item.webhooks_fields ?? '').split(',').filter((field) => field !== '');
  return { status, fields, checkedAt };
}

/** The attributes a subscription check writes. */
export function webhooksAttributes(
  health: WebhookHealth,
): Pick<RegistryItem, 'webhooks_status' | 'webhooks_fields' | 'webhooks_checked_at'> {
  return {
    webhooks_status: health.status,
    webhooks_fields: health.fields.join(','),
    webhooks_checked_at: health.checkedAt,
  };
}

/**
 * The Page's record from its registry item and its summary item; without a summary item, the summary
 * an older registry item carries.
 */
export function readPageRecord(
  item: Stored<RegistryItem>,
  summary?: Stored<SyncSummaryItem>,
): PageRecord | undefined {
  const pageId = item.page_id;
  if (pageId === undefined) return undefined;
  return {
    pageId,
    name: item.name,
    instagramAccountId: item.instagram_account_id,
    token: readLocation(item),
    health: readHealth(item),
    sync: (summary === undefined ? undefined : readSync(summary)) ?? readSync(item),
    registeredAt: item.registered_at ?? '',
    updatedAt: item.updated_at ?? '',
    profileRefreshedAt: item.profile_refreshed_at,
    webhooks: readWebhooks(item),
  };
}

type LocationAttribute = 'token_location' | 'token_secret_id' | 'token_key';

/** The attributes that say where the token lives; a per-Page secret removes the shared ones. */
export function locationAttributes(location: TokenLocation): {
  set: Partial<Pick<RegistryItem, LocationAttribute>>;
  remove: LocationAttribute[];
} {
  if (location.kind === 'shared-secret') {
    return {
      set: { token_location: 'shared-secret', token_secret_id: location.secretId, token_key: location.key },
      remove: [],
    };
  }
  return { set: { token_location: 'page-secret' }, remove: ['token_secret_id', 'token_key'] };
}

/** `{name: value}` as `{':name': value}`, for an update expression's values. */
export function asValues(attributes: Record<string, string | number | undefined>): Values {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value]));
}

export function sameLocation(a: TokenLocation, b: TokenLocation): boolean {
  if (a.kind === 'page-secret' || b.kind === 'page-secret') return a.kind === b.kind;
  return a.secretId === b.secretId && a.key === b.key;
}

/** What reads of a Page found, for the registry's `recordReads`: each part only when it was read. */
export interface PageReads {
  /** The name and Instagram account as Graph gave them (a sync run's daily refresh), and when. */
  profile?: { name?: string | undefined; instagramAccountId?: string | undefined; refreshedAt: string };
  webhooks?: WebhookHealth;
}

/** The update of a registry item that records `reads`; undefined when they hold nothing. */
export function readsUpdate(
  reads: PageReads,
): { update: string; names?: Record<string, string>; values: Values } | undefined {
  const sets: string[] = [];
  const removes: Array<keyof RegistryItem> = [];
  const values: Values = {};
  const { profile, webhooks } = reads;
  if (profile !== undefined) {
    sets.push('profile_refreshed_at = :refreshed');
    values[':refreshed'] = profile.refreshedAt;
    if (profile.name !== undefined) {
      sets.push('#name = :name');
      values[':name'] = profile.name;
    }
    if (profile.instagramAccountId !== undefined) {
      sets.push('instagram_account_id = :ig');
      values[':ig'] = profile.instagramAccountId;
    }
  }
  if (webhooks !== undefined) {
    const attributes = webhooksAttributes(webhooks);
    sets.push('webhooks_status = :status', 'webhooks_checked_at = :checked');
    values[':status'] = attributes.webhooks_status;
    values[':checked'] = attributes.webhooks_checked_at;
    // No fields is no attribute, not an empty string.
    if (attributes.webhooks_fields === '') removes.push('webhooks_fields');
    else {
      sets.push('webhooks_fields = :fields');
      values[':fields'] = attributes.webhooks_fields;
    }
  }
  if (sets.length === 0) return undefined;
  return {
    update: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    // `name` is one of DynamoDB's reserved words.
    ...(profile?.name === undefined ? {} : { names: namesOf<RegistryItem>({ '#name': 'name' }) }),
    values,
  };
}
