import type { ConversationItem } from './conversation-item.js';
import {
  decodeIndexKey,
  encodeIndexKey,
  expiredTombstone,
  type IndexListing,
  type IndexQuery,
  type ListedItem,
  listedItemOf,
} from './index-listing.js';
import { indexKeys } from './keys.js';
import { namesOf, type Stored, type Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * `updated_since` with `include_removed=true`: a folder's live conversations (by `updated_time`) and
 * its tombstones (by `removed_time`) as one list, newest first, by merging two ordered Queries.
 *
 * A cursor holds one position per list, each an item's key or an end of the list. An `after` cursor
 * names, per list, the item just above where the next listing starts (read on with it as the exclusive
 * start key, downwards); a `before` cursor the item just below where it ends (read upwards). A list
 * none of whose items an answer showed keeps its position: for the other direction it names the first
 * item read beyond it, or the end when none was. So each list resumes exactly where it stopped, and
 * neither repeats nor skips an item, however the two interleave.
 */

export interface MergedQuery extends IndexQuery {
  /** Tombstones removed before this have expired (TOMBSTONE_DAYS) and are not listed. */
  tombstonesSince: Date;
  now: Date;
}

/** The ends of a list as positions: above its newest item, below its oldest. */
const TOP = 'top';
const BOTTOM = 'bottom';

type Lists = [live: string, removed: string];

interface Read {
  records: Stored<ConversationItem>[];
  /** DynamoDB holds more beyond the records read. */
  more: boolean;
}

const { byUpdatedTime } = TABLE_KEYS;

export async function listWithRemoved(table: Table, query: MergedQuery): Promise<IndexListing<ListedItem>> {
  const backwards = query.before !== undefined;
  const start: Lists = parsePositions(query.before ?? query.after) ?? [TOP, TOP];
  const since = indexKeys.updatedAfter(query.updatedSince);
  const expiredBefore = indexKeys.updatedAfter(query.tombstonesSince);
  const [live, removed] = await Promise.all([
    readList(table, indexKeys.indexedFolder(query), since, start[0], backwards, query.limit),
    readList(
      table,
      indexKeys.removedFolder(query),
      [since, expiredBefore].sort().at(-1) as string,
      start[1],
      backwards,
      query.limit,
    ),
  ]);
  const reads = [live, removed] as const;
  // Merge in the reading direction: downwards (newest first), or upwards for a `before` cursor.
  const taken: [number, number] = [0, 0];
  const shown: ListedItem[] = [];
  while (shown.length < query.limit) {
    const next = nextList(reads, taken, backwards);
    if (next === undefined) break;
    const item = reads[next].records[taken[next]] as Stored<ConversationItem>;
    taken[next] += 1;
    // An expired tombstone is passed over, not shown: DynamoDB's TTL removes it only eventually.
    if (!expiredTombstone(item, query.now)) shown.push(listedItemOf(item));
  }
  const more = reads.some((read, i) => (taken[i] ?? 0) < read.records.length || read.more);
  // Per list: the item last taken continues this direction; the first taken turns back.
  const onward = reads.map((read, i) => {
    const count = taken[i] ?? 0;
    return count > 0 ? keyOf(read.records[count - 1]) : (start[i] as string);
  }) as Lists;
  const back = reads.map((read) => {
    const first = read.records[0];
    if (first !== undefined) return keyOf(first);
    return backwards ? TOP : BOTTOM;
  }) as Lists;
  if (shown.length === 0 && taken[0] + taken[1] === 0) {
    return { data: [], firstKey: undefined, lastKey: undefined, hasMoreAfter: false, hasMoreBefore: false };
  }
  if (backwards) shown.reverse();
  return {
    data: shown,
    firstKey: JSON.stringify(backwards ? onward : back),
    lastKey: JSON.stringify(backwards ? back : onward),
    hasMoreAfter: backwards ? true : more,
    hasMoreBefore: backwards ? more : query.after !== undefined,
  };
}

/** The list the merge takes from next, or undefined when it must stop (done, or a list not read far enough). */
function nextList(
  reads: readonly [Read, Read],
  taken: [number, number],
  upwards: boolean,
): 0 | 1 | undefined {
  const heads = reads.map((read, i) => read.records[taken[i] as number]?.gsi1sk);
  const [live, removed] = heads;
  // A list read to its limit with more beyond: what comes next in it is unknown, so nothing may pass it.
  for (const i of [0, 1] as const) if (heads[i] === undefined && reads[i].more) return undefined;
  if (live === undefined) return removed === undefined ? undefined : 1;
  if (removed === undefined) return 0;
  return live > removed !== upwards ? 0 : 1;
}

async function readList(
  table: Table,
  partition: string,
  threshold: string,
  position: string,
  upwards: boolean,
  limit: number,
): Promise<Read> {
  // Nothing lies beyond an end in its own direction.
  if (position === (upwards ? TOP : BOTTOM)) return { records: [], more: false };
  const { records, lastKey } = await table.query<ConversationItem>({
    index: byUpdatedTime,
    keyCondition: '#gpk = :gpk AND #gsk >= :threshold',
    names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' }),
    values: { ':gpk': partition, ':threshold': threshold },
    forward: upwards,
    limit,
    ...(position === TOP || position === BOTTOM ? {} : { startKey: decodeIndexKey(position) }),
  });
  return { records, more: lastKey !== undefined };
}

const keyOf = (item: Stored<ConversationItem> | undefined): string =>
  item === undefined ? TOP : encodeIndexKey(item);

/** A cursor's two positions; undefined for anything this module did not write. */
function parsePositions(cursor: string | undefined): Lists | undefined {
  if (cursor === undefined) return undefined;
  const value = JSON.parse(cursor) as unknown;
  if (!Array.isArray(value) || value.length !== 2 || !value.every((p) => typeof p === 'string'))
    return undefined;
  return value as Lists;
}
