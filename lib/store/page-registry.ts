import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PageRecord, SyncSummary, TokenHealthError, TokenLocation } from '../domain/page.js';
import { keys, REGISTRY_PARTITION, registrySortKey } from './keys.js';
import {
  asValues,
  type InstagramAccountItem,
  locationAttributes,
  type PageReads,
  type RegistryItem,
  readPageRecord,
  readsUpdate,
  type SyncSummaryItem,
  sameLocation,
} from './page-registry-item.js';
import { namesOf, type Stored, Table, type Values, type Written } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

export type { PageReads } from './page-registry-item.js';

/**
 * What Graph-calling code reports about a Page's token (see `callAsPage`): a rejection after the one
 * re-read of the secret, or a success. The registry implements it.
 */
export interface TokenHealthRecorder {
  markTokenInvalid(pageId: string, error: TokenHealthError, secretVersion: string): Promise<void>;
  markTokenValid(pageId: string): Promise<void>;
}

/** What registering a Page sets; name and Instagram account come from Graph, the location from the operator. */
export interface PageRegistration {
  pageId: string;
  name?: string | undefined;
  instagramAccountId?: string | undefined;
  token: TokenLocation;
  /** True when a new token was stored: its health is unknown again. */
  tokenChanged?: boolean;
}

export type RegistrationOutcome = 'created' | 'updated' | 'unchanged';

export interface PageRegistryOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long `find` serves an item from memory: the longest a container misses a change. */
  cacheMs?: number;
  now?: () => Date;
}

export interface PageListing {
  records: PageRecord[];
  /** Whether more Pages lie beyond the listing in the direction it was read. */
  more: boolean;
}

/**
 * The registry of Pages, one item each in one partition (its item in `page-registry-item.ts`), written
 * when a Page is registered, changed or removed, and when its token's health changes; each run's summary
 * goes to an item under the Page's own partition, read beside it (one BatchGetItem per listing). `find` keeps
 * each item for `cacheMs` per container, so that the token sources and the health hook read it at most
 * once a minute per Page; the health marks update that copy too, so a container that marks a token
 * invalid refuses the Page at once.
 */
export class PageRegistry implements TokenHealthRecorder {
  private readonly cache = new Map<string, { record: PageRecord; readAt: number }>();
  private readonly cacheMs: number;
  private readonly now: () => Date;
  private readonly table: Table;

  constructor(options: PageRegistryOptions) {
    this.table = new Table(options.client, options.tableName);
    this.cacheMs = options.cacheMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The Page's item, read through the per-container cache; undefined for a Page not registered. A miss
   * is read again each time: a Page registered by `npm run pages` or the CLI in another process is
   * served at once, not after `cacheMs`.
   */
  async find(pageId: string): Promise<PageRecord | undefined> {
    const cached = this.cache.get(pageId);
    if (cached !== undefined && this.now().getTime() - cached.readAt < this.cacheMs) return cached.record;
    return this.get(pageId);
  }

  /**
   * The Page's item, read now. Without its last run's summary (`record.sync` is what the item itself
   * still carries from before 0.3.0): the token sources, the sync and the routes that only need to know
   * the Page read one item, not two. `view` adds the summary.
   */
  async get(pageId: string): Promise<PageRecord | undefined> {
    const item = await this.table.get<RegistryItem>(keys.registeredPage(pageId), { consistent: true });
    const record = item === undefined ? undefined : readPageRecord(item);
    this.remember(pageId, record);
    return record;
  }

  /** The Page's item and its last run's summary, read now: what `GET /pages/{pageId}` shows. */
  async view(pageId: string): Promise<PageRecord | undefined> {
    const [item, summary] = await Promise.all([
      this.table.get<RegistryItem>(keys.registeredPage(pageId), { consistent: true }),
      this.table.get<SyncSummaryItem>(keys.syncSummary(pageId), { consistent: true }),
    ]);
    return item === undefined ? undefined : readPageRecord(item, summary);
  }

  /**
   * Pages in ascending id order, at most `limit`, after (or before) a Page id that is itself excluded.
   * Opaque cursors are built above this, from the ids.
   */
  async list(options: { limit: number; after?: string; before?: string }): Promise<PageListing> {
    const backwards = options.before !== undefined;
    const bound = options.before ?? options.after;
    const { records } = await this.table.query<RegistryItem>({
      keyCondition: bound === undefined ? '#pk = :pk' : `#pk = :pk AND #sk ${backwards ? '<' : '>'} :bound`,
      names: {
        '#pk': TABLE_KEYS.partitionKey,
        ...(bound === undefined ? {} : { '#sk': TABLE_KEYS.sortKey }),
      },
      values: {
        ':pk': REGISTRY_PARTITION,
        ...(bound === undefined ? {} : { ':bound': registrySortKey(bound) }),
      },
      forward: !backwards,
      // One more than asked says whether there is more, without a second query.
      limit: options.limit + 1,
    });
    const summaries = await this.summaries(records.flatMap((item) => item.page_id ?? []));
    const pages = records.flatMap((item) => readPageRecord(item, summaries.get(item.page_id ?? '')) ?? []);
    const more = pages.length > options.limit;
    const listing = pages.slice(0, options.limit);
    return { records: backwards ? listing.reverse() : listing, more };
  }

  /** Every registered Page id, ascending. */
  async listPageIds(): Promise<string[]> {
    return (await this.roster()).pageIds;
  }

  /**
   * What the schedule reads each round: every registered Page id, ascending, and how many Pages the
   * last check found `not_subscribed` (the `PagesNotSubscribed` level). One Query over the registry's
   * partition; the status rides in the projection, which costs no more (a Query is billed by the size
   * of the items it reads, projected or not).
   */
  async roster(): Promise<{ pageIds: string[]; notSubscribed: number }> {
    const pageIds: string[] = [];
    let notSubscribed = 0;
    const batches = this.table.batches<RegistryItem>({
      keyCondition: '#pk = :pk',
      names: {
        '#pk': TABLE_KEYS.partitionKey,
        ...namesOf<RegistryItem>({ '#id': 'page_id', '#webhooks': 'webhooks_status' }),
      },
      values: { ':pk': REGISTRY_PARTITION },
      projection: '#id, #webhooks',
    });
    for await (const batch of batches) {
      for (const item of batch) {
        if (item.page_id === undefined) continue;
        pageIds.push(item.page_id);
        if (item.webhooks_status === 'not_subscribed') notSubscribed++;
      }
    }
    return { pageIds, notSubscribed };
  }

  /**
   * Records what the reads of a Page found (its profile, its webhook subscription, or both) in one write
   * of its registry item: a sync run's daily reads (`sync/page-record.ts`) and the checks at
   * registration. Under the registry's one partition key, a day's round of 100,000 Pages writes each item
   * once, not once per read. A Page removed meanwhile stays removed; the Instagram mapping follows a
   * changed account.
   */
  async recordReads(pageId: string, reads: PageReads): Promise<void> {
    const change = readsUpdate(reads);
    if (change === undefined) return;
    const written = await this.table.update<RegistryItem>(keys.registeredPage(pageId), {
      ...change,
      condition: 'attribute_exists(page_id)',
      returns: 'ALL_OLD',
    });
    this.cache.delete(pageId);
    const before = written.record?.instagram_account_id;
    const after = reads.profile?.instagramAccountId;
    if (!written.applied || after === undefined || after === before) return;
    await this.putInstagramMapping(after, pageId);
    if (before !== undefined) await this.deleteInstagramMapping(before, pageId);
  }

  /**
   * Registers a Page or updates what changed, and keeps its Instagram mapping in step. Writes nothing
   * when nothing changed, so that running `connect` twice is a no-op.
   */
  async register(registration: PageRegistration): Promise<RegistrationOutcome> {
    const { pageId } = registration;
    const existing = await this.get(pageId);
    const nameChanged = registration.name !== undefined && registration.name !== existing?.name;
    const igChanged =
      registration.instagramAccountId !== undefined &&
      registration.instagramAccountId !== existing?.instagramAccountId;
    const locationChanged = existing === undefined || !sameLocation(existing.token, registration.token);
    const resetHealth = existing !== undefined && registration.tokenChanged === true;
    if (existing !== undefined && !nameChanged && !igChanged && !locationChanged && !resetHealth) {
      return 'unchanged';
    }
    const at = this.now().toISOString();
    const location = locationAttributes(registration.token);
    const values: Values = {
      ':at': at,
      ':id': pageId,
      ':unchecked': 'unchecked',
      ...asValues(location.set),
    };
    const sets = ['page_id = :id', 'updated_at = :at', 'registered_at = if_not_exists(registered_at, :at)'];
    sets.push(...Object.keys(location.set).map((name) => `${name} = :${name}`));
    const removes: Array<keyof RegistryItem> = [...location.remove];
    if (registration.name !== undefined) {
      sets.push('#name = :name');
      values[':name'] = registration.name;
    }
    if (registration.instagramAccountId !== undefined) {
      sets.push('instagram_account_id = :ig');
      values[':ig'] = registration.instagramAccountId;
    }
    if (resetHealth) {
      sets.push('token_status = :unchecked');
      removes.push('token_error', 'token_invalid_at_version', 'token_checked_at');
    } else {
      sets.push('token_status = if_not_exists(token_status, :unchecked)');
    }
    await this.table.update(keys.registeredPage(pageId), {
      update: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      // `name` is one of DynamoDB's reserved words.
      ...(registration.name === undefined ? {} : { names: namesOf<RegistryItem>({ '#name': 'name' }) }),
      values,
    });
    if (igChanged && registration.instagramAccountId !== undefined) {
      await this.putInstagramMapping(registration.instagramAccountId, pageId);
      if (existing?.instagramAccountId !== undefined)
        await this.deleteInstagramMapping(existing.instagramAccountId, pageId);
    }
    this.cache.delete(pageId);
    return existing === undefined ? 'created' : 'updated';
  }

  /** Removes the Page and its Instagram mapping; false when it was not registered. */
  async remove(pageId: string): Promise<boolean> {
    const removed = await this.table.delete<RegistryItem>(keys.registeredPage(pageId), {
      returns: 'ALL_OLD',
    });
    await this.table.delete(keys.syncSummary(pageId));
    this.cache.delete(pageId);
    if (removed.record === undefined) return false;
    const instagramAccountId = removed.record.instagram_account_id;
    if (instagramAccountId !== undefined) await this.deleteInstagramMapping(instagramAccountId, pageId);
    return true;
  }

  /** The Page an Instagram professional account belongs to, for webhooks. */
  async pageIdForInstagramAccount(instagramAccountId: string): Promise<string | undefined> {
    const item = await this.table.get<InstagramAccountItem>(keys.instagramAccount(instagramAccountId));
    return item?.page_id;
  }

  /**
   * Marks the token rejected at `secretVersion`. Writes only when that changes something: a second
   * container reporting the same rejection costs a conditional write that fails, nothing more.
   */
  async markTokenInvalid(pageId: string, error: TokenHealthError, secretVersion: string): Promise<void> {
    const at = this.now().toISOString();
    const marked = await this.table.update<RegistryItem>(keys.registeredPage(pageId), {
      update:
        'SET token_status = :invalid, token_checked_at = :at, token_error = :error, token_invalid_at_version = :version',
      condition:
        'attribute_exists(page_id) AND NOT (token_status = :invalid AND token_invalid_at_version = :version)',
      values: {
        ':invalid': 'invalid',
        ':at': at,
        ':error': JSON.stringify(error),
        ':version': secretVersion,
      },
      returns: 'ALL_NEW',
    });
    await this.rememberWritten(pageId, marked);
  }

  /** Marks the token accepted; writes only when its status was another (a warm, valid Page writes nothing). */
  async markTokenValid(pageId: string): Promise<void> {
    const known = await this.find(pageId);
    if (known === undefined || known.health.status === 'valid') return;
    const marked = await this.table.update<RegistryItem>(keys.registeredPage(pageId), {
      update:
        'SET token_status = :valid, token_checked_at = :at REMOVE token_error, token_invalid_at_version',
      condition: 'attribute_exists(page_id) AND token_status <> :valid',
      values: { ':valid': 'valid', ':at': this.now().toISOString() },
      returns: 'ALL_NEW',
    });
    await this.rememberWritten(pageId, marked);
  }

  /**
   * Records the latest sync's summary (the sync calls this) in the Page's own partition. A Page removed
   * meanwhile stays removed (its registry item is what lists and finds it), at the cost of a stray
   * summary item that a later registration of the same id shows until its first run.
   */
  async updateSyncSummary(pageId: string, summary: SyncSummary): Promise<void> {
    const values: Values = { ':status': summary.status, ':id': pageId };
    const sets = ['page_id = :id', 'sync_status = :status'];
    if (summary.syncedAt !== undefined) {
      sets.push('synced_at = :synced');
      values[':synced'] = summary.syncedAt;
    }
    if (summary.lastOutcome !== undefined) {
      sets.push('sync_last_outcome = :outcome');
      values[':outcome'] = summary.lastOutcome;
    }
    await this.table.update(keys.syncSummary(pageId), {
      update: `SET ${sets.join(', ')}`,
      values,
    });
  }

  /** The summary items of these Pages (BatchGetItem, at most 100 keys a call), by Page id. */
  private async summaries(pageIds: readonly string[]): Promise<Map<string, Stored<SyncSummaryItem>>> {
    if (pageIds.length === 0) return new Map();
    const items = await this.table.getMany<SyncSummaryItem>(pageIds.map((id) => keys.syncSummary(id)));
    const byId = new Map<string, Stored<SyncSummaryItem>>();
    for (const item of items) if (item.page_id !== undefined) byId.set(item.page_id, item);
    return byId;
  }

  private remember(pageId: string, record: PageRecord | undefined): void {
    if (record === undefined) this.cache.delete(pageId);
    else this.cache.set(pageId, { record, readAt: this.now().getTime() });
  }

  /** Keeps what a health mark wrote; when its condition failed (nothing to change), reads the item now. */
  private async rememberWritten(pageId: string, written: Written<RegistryItem>): Promise<void> {
    if (!written.applied) {
      await this.get(pageId);
      return;
    }
    this.remember(pageId, written.record === undefined ? undefined : readPageRecord(written.record));
  }

  private async putInstagramMapping(instagramAccountId: string, pageId: string): Promise<void> {
    await this.table.update(keys.instagramAccount(instagramAccountId), {
      update: 'SET page_id = :id',
      values: { ':id': pageId },
    });
  }

  /** Only the Page's own mapping: the account may have moved to another Page since. */
  private async deleteInstagramMapping(instagramAccountId: string, pageId: string): Promise<void> {
    await this.table.delete(keys.instagramAccount(instagramAccountId), {
      condition: 'page_id = :id',
      values: { ':id': pageId },
    });
  }
}
