import type { RemovalReason } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { ConversationItem } from './conversation-item.js';
import { type IndexPartition, indexKeys } from './keys.js';
import { isExpired, namesOf, type Stored, type Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The indexed listing of one folder by `updated_since`, newest first: its live conversations
 * (`indexKeys.indexedFolder`), and with `include_removed` its tombstones too (`indexKeys.removedFolder`),
 * two ordered Queries merged by their sort key
 * (live by `updated_time`, tombstones by `removed_time`). The live listing reads exactly what it read
 * before tombstones existed: they sit in another partition of the index, not behind a filter.
 */

export interface IndexQuery extends IndexPartition {
  /** Conversations whose `updated_time` (tombstones: `removed_time`) is later than this. */
  updatedSince: Date;
  limit: number;
  /** Where the previous listing ended (`after`) or began (`before`), as `firstKey`/`lastKey` gave it. */
  after?: string | undefined;
  before?: string | undefined;
}

/** A tombstone as `include_removed=true` lists it: ids and times only. */
export interface TombstoneView {
  id: string;
  updated_time: string;
  revision: number;
  removed: true;
  removed_time: string;
  reason: RemovalReason;
}

/** A live conversation as indexed, with its item's revision. */
export type IndexedConversation = Conversation & { revision: number };

/** What a listing shows: a live conversation, or a tombstone (`removed: true`). */
export type ListedItem = IndexedConversation | TombstoneView;

/** One listing of a folder, newest first. */
export interface IndexListing<T extends ListedItem = IndexedConversation> {
  data: T[];
  /** Where to list on from: before the first item, after the last. */
  firstKey: string | undefined;
  lastKey: string | undefined;
  hasMoreAfter: boolean;
  hasMoreBefore: boolean;
}

const { byUpdatedTime } = TABLE_KEYS;

/** A listing's ends as opaque strings: the four key attributes of the item where it stopped. */
const CURSOR_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const satisfies ReadonlyArray<keyof ConversationItem>;

export const encodeIndexKey = (item: Stored<ConversationItem>): string =>
  JSON.stringify(CURSOR_KEYS.map((name) => item[name]));

export function decodeIndexKey(key: string): Record<string, string> {
  const values = JSON.parse(key) as string[];
  return Object.fromEntries(CURSOR_KEYS.map((name, i) => [name, values[i] ?? '']));
}

/** A live item as listed: its conversation with its revision. */
export const indexedConversationOf = (item: Stored<ConversationItem>): IndexedConversation => ({
  ...(JSON.parse(item.doc ?? '{}') as Conversation),
  revision: item.rev ?? 0,
});

/** What one listed item shows: a live conversation with its revision, or a tombstone's ids and times. */
export function listedItemOf(item: Stored<ConversationItem>): ListedItem {
  if (item.removed_time === undefined) return indexedConversationOf(item);
  return {
    id: item.sk ?? '',
    updated_time: item.updated_time ?? '',
    revision: item.rev ?? 0,
    removed: true,
    removed_time: item.removed_time,
    reason: item.reason ?? 'not_listed',
  };
}

/** Live conversations of one folder updated after an instant, newest first, one listing at a time. */
export async function listLive(table: Table, query: IndexQuery): Promise<IndexListing> {
  const backwards = query.before !== undefined;
  const start = query.after ?? query.before;
  const { records, lastKey } = await table.query<ConversationItem>({
    index: byUpdatedTime,
    keyCondition: '#gpk = :gpk AND #gsk >= :threshold',
    names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' }),
    values: {
      ':gpk': indexKeys.indexedFolder(query),
      ':threshold': indexKeys.updatedAfter(query.updatedSince),
    },
    forward: backwards,
    limit: query.limit,
    ...(start === undefined ? {} : { startKey: decodeIndexKey(start) }),
  });
  if (backwards) records.reverse();
  const first = records[0];
  const last = records.at(-1);
  const more = lastKey !== undefined;
  return {
    data: records.map(indexedConversationOf),
    firstKey: first === undefined ? undefined : encodeIndexKey(first),
    lastKey: last === undefined ? undefined : encodeIndexKey(last),
    hasMoreAfter: backwards ? true : more,
    hasMoreBefore: backwards ? more : query.after !== undefined,
  };
}

/** The live ids of a folder with what reconciliation compares: a Query of the few attributes. */
export async function* liveIdsOf(
  table: Table,
  partition: IndexPartition,
): AsyncGenerator<{ id: string; revision: number; writtenAt: number }> {
  const batches = table.batches<ConversationItem>({
    index: byUpdatedTime,
    keyCondition: '#gpk = :gpk',
    names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk', '#sk': 'sk', '#rev': 'rev', '#wa': 'written_at' }),
    values: { ':gpk': indexKeys.indexedFolder(partition) },
    projection: '#sk, #rev, #wa',
  });
  for await (const batch of batches) {
    for (const item of batch) {
      if (item.sk === undefined) continue;
      // An item written before 0.3 has no `written_at`: 0, older than any scan.
      yield { id: item.sk, revision: item.rev ?? 0, writtenAt: item.written_at ?? 0 };
    }
  }
}

/** Whether a tombstone has outlived TOMBSTONE_DAYS (its `expires_at`): then it is listed nowhere. */
export const expiredTombstone = (item: Stored<ConversationItem>, now: Date): boolean =>
  item.removed_time !== undefined && isExpired(item, now);
