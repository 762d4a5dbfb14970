import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PageRecord, SyncSummary, TokenHealthError, TokenLocation } from '../domain/page.js';
import { type Item, isConditionFailure, readString, stringAttribute } from './attributes.js';
import {
  instagramKey,
  locationAttributes,
  PAGES_PARTITION,
  pageKey,
  pageSortKey,
  readPageRecord,
  sameLocation,
} from './page-registry-item.js';
import { TABLE_KEYS } from './table-schema.js';

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
 * The registry of Pages, one item each in one partition (keys in `page-registry-item.ts`). `find` keeps
 * each item for `cacheMs` per container, so that the token sources and the health hook read it at most
 * once a minute per Page; the health marks update that copy too, so a container that marks a token
 * invalid refuses the Page at once.
 */
export class PageRegistry implements TokenHealthRecorder {
  private readonly cache = new Map<string, { record: PageRecord | undefined; readAt: number }>();
  private readonly cacheMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: PageRegistryOptions) {
    this.cacheMs = options.cacheMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** The Page's item, read through the per-container cache; undefined for a Page not registered. */
  async find(pageId: string): Promise<PageRecord | undefined> {
    const cached = this.cache.get(pageId);
    if (cached !== undefined && this.now().getTime() - cached.readAt < this.cacheMs) return cached.record;
    return this.get(pageId);
  }

  /** The Page's item, read now. */
  async get(pageId: string): Promise<PageRecord | undefined> {
    const output = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: pageKey(pageId), ConsistentRead: true }),
    );
    const record = output.Item === undefined ? undefined : readPageRecord(output.Item);
    this.remember(pageId, record);
    return record;
  }

  /**
   * Pages in ascending id order, at most `limit`, after (or before) a Page id that is itself excluded.
   * Opaque cursors are built above this, from the ids.
   */
  async list(options: { limit: number; after?: string; before?: string }): Promise<PageListing> {
    const backwards = options.before !== undefined;
    const bound = options.before ?? options.after;
    const output = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression:
          bound === undefined ? '#pk = :pk' : `#pk = :pk AND #sk ${backwards ? '<' : '>'} :bound`,
        ExpressionAttributeNames: {
          '#pk': TABLE_KEYS.partitionKey,
          ...(bound ? { '#sk': TABLE_KEYS.sortKey } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': stringAttribute(PAGES_PARTITION),
          ...(bound === undefined ? {} : { ':bound': stringAttribute(pageSortKey(bound)) }),
        },
        ScanIndexForward: !backwards,
        // One more than asked says whether there is more, without a second query.
        Limit: options.limit + 1,
      }),
    );
    const records = (output.Items ?? []).flatMap((item) => readPageRecord(item) ?? []);
    const more = records.length > options.limit;
    const page = records.slice(0, options.limit);
    return { records: backwards ? page.reverse() : page, more };
  }

  /** Every registered Page id, ascending: what the schedule syncs. */
  async listPageIds(): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#id': 'page_id' },
          ExpressionAttributeValues: { ':pk': stringAttribute(PAGES_PARTITION) },
          ProjectionExpression: '#id',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of output.Items ?? []) {
        const id = readString(item, 'page_id');
        if (id !== undefined) ids.push(id);
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    return ids;
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
    const values: Item = {
      ':at': stringAttribute(at),
      ':id': stringAttribute(pageId),
      ':unchecked': stringAttribute('unchecked'),
      ...prefixed(location.set),
    };
    const sets = ['page_id = :id', 'updated_at = :at', 'registered_at = if_not_exists(registered_at, :at)'];
    sets.push(...Object.keys(location.set).map((name) => `${name} = :${name}`));
    const removes = [...location.remove];
    if (registration.name !== undefined) {
      sets.push('#name = :name');
      values[':name'] = stringAttribute(registration.name);
    }
    if (registration.instagramAccountId !== undefined) {
      sets.push('instagram_account_id = :ig');
      values[':ig'] = stringAttribute(registration.instagramAccountId);
    }
    if (resetHealth) {
      sets.push('token_status = :unchecked');
      removes.push('token_error', 'token_invalid_at_version', 'token_checked_at');
    } else {
      sets.push('token_status = if_not_exists(token_status, :unchecked)');
    }
    await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: pageKey(pageId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: registration.name === undefined ? undefined : { '#name': 'name' },
        ExpressionAttributeValues: values,
      }),
    );
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
    const output = await this.options.client.send(
      new DeleteItemCommand({
        TableName: this.options.tableName,
        Key: pageKey(pageId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    this.cache.delete(pageId);
    if (output.Attributes === undefined) return false;
    const instagramAccountId = readString(output.Attributes, 'instagram_account_id');
    if (instagramAccountId !== undefined) await this.deleteInstagramMapping(instagramAccountId, pageId);
    return true;
  }

  /** The Page an Instagram professional account belongs to, for webhooks. */
  async pageIdForInstagramAccount(instagramAccountId: string): Promise<string | undefined> {
    const output = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: instagramKey(instagramAccountId) }),
    );
    return readString(output.Item, 'page_id');
  }

  /**
   * Marks the token rejected at `secretVersion`. Writes only when that changes something: a second
   * container reporting the same rejection costs a conditional write that fails, nothing more.
   */
  async markTokenInvalid(pageId: string, error: TokenHealthError, secretVersion: string): Promise<void> {
    const at = this.now().toISOString();
    const version = secretVersion;
    try {
      const output = await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: pageKey(pageId),
          UpdateExpression:
            'SET token_status = :invalid, token_checked_at = :at, token_error = :error, token_invalid_at_version = :version',
          ConditionExpression:
            'attribute_exists(page_id) AND NOT (token_status = :invalid AND token_invalid_at_version = :version)',
          ExpressionAttributeValues: {
            ':invalid': stringAttribute('invalid'),
            ':at': stringAttribute(at),
            ':error': stringAttribute(JSON.stringify(error)),
            ':version': stringAttribute(version),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.remember(pageId, output.Attributes === undefined ? undefined : readPageRecord(output.Attributes));
    } catch (failure: unknown) {
      if (!isConditionFailure(failure)) throw failure;
      await this.get(pageId);
    }
  }

  /** Marks the token accepted; writes only when its status was another (a warm, valid Page writes nothing). */
  async markTokenValid(pageId: string): Promise<void> {
    const known = await this.find(pageId);
    if (known === undefined || known.health.status === 'valid') return;
    try {
      const output = await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: pageKey(pageId),
          UpdateExpression:
            'SET token_status = :valid, token_checked_at = :at REMOVE token_error, token_invalid_at_version',
          ConditionExpression: 'attribute_exists(page_id) AND token_status <> :valid',
          ExpressionAttributeValues: {
            ':valid': stringAttribute('valid'),
            ':at': stringAttribute(this.now().toISOString()),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      this.remember(pageId, output.Attributes === undefined ? undefined : readPageRecord(output.Attributes));
    } catch (failure: unknown) {
      if (!isConditionFailure(failure)) throw failure;
      await this.get(pageId);
    }
  }

  /** Records the latest sync's summary (the sync calls this); a Page removed meanwhile stays removed. */
  async updateSyncSummary(pageId: string, summary: SyncSummary): Promise<void> {
    const values: Item = { ':status': stringAttribute(summary.status) };
    const sets = ['sync_status = :status'];
    if (summary.syncedAt !== undefined) {
      sets.push('synced_at = :synced');
      values[':synced'] = stringAttribute(summary.syncedAt);
    }
    if (summary.lastOutcome !== undefined) {
      sets.push('sync_last_outcome = :outcome');
      values[':outcome'] = stringAttribute(summary.lastOutcome);
    }
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: pageKey(pageId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(page_id)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (failure: unknown) {
      if (!isConditionFailure(failure)) throw failure;
    }
  }

  private remember(pageId: string, record: PageRecord | undefined): void {
    this.cache.set(pageId, { record, readAt: this.now().getTime() });
  }

  private async putInstagramMapping(instagramAccountId: string, pageId: string): Promise<void> {
    await this.options.client.send(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: instagramKey(instagramAccountId),
        UpdateExpression: 'SET page_id = :id',
        ExpressionAttributeValues: { ':id': stringAttribute(pageId) },
      }),
    );
  }

  /** Only the Page's own mapping: the account may have moved to another Page since. */
  private async deleteInstagramMapping(instagramAccountId: string, pageId: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: instagramKey(instagramAccountId),
          ConditionExpression: 'page_id = :id',
          ExpressionAttributeValues: { ':id': stringAttribute(pageId) },
        }),
      );
    } catch (failure: unknown) {
      if (!isConditionFailure(failure)) throw failure;
    }
  }
}

/** `{name: value}` as `{':name': value}`, for an update expression's values. */
function prefixed(attributes: Item): Item {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value]));
}
