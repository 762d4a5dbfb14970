import { InvalidRequestError, UnknownPageError } from '../domain/errors.js';
import { parseGraphTime } from '../domain/graph-time.js';
import type { IndexedConversationsRequest } from '../domain/shapes/queries.js';
import { partitionName } from '../domain/sync-state.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { ConversationIndex, IndexListing, ListedItem } from '../store/conversation-index.js';
import type { CursorStore } from '../store/cursor-store.js';
import type { PageRegistry } from '../store/page-registry.js';
import type { SyncStateStore } from '../store/sync-state-store.js';
import { pickFields } from './conversation-fields.js';
import { continueFrom, cursorPaging, cursorScope } from './cursor-paging.js';
import type { ConversationsBatch } from './list-conversations.js';

export interface IndexedDependencies {
  index: Pick<ConversationIndex, 'query' | 'queryWithRemoved'>;
  cursors: CursorStore;
  state: Pick<SyncStateStore, 'read'>;
  /** Which Pages exist: the registry, as on every route (a Page's token plays no part in the index). */
  registry: Pick<PageRegistry, 'get'>;
  /** What the sync covers (`SYNC_PLATFORMS`, `SYNC_FOLDERS`): the index holds nothing else. */
  platforms: readonly Platform[];
  folders: readonly Folder[];
  now: () => Date;
  /**
   * `RETENTION_DAYS` (`lib/privacy`): a live conversation last updated before `cutoff` is not shown, and
   * its folder is handed to `askedBeyond`, which has it swept (tombstones with reason `expired`).
   */
  retention?: {
    cutoff(now: Date): Date | undefined;
    askedBeyond(partition: { pageId: string; platform: Platform; folder: Folder }): Promise<void>;
  };
}

/**
 * What Graph cannot do: the conversations updated after an instant, from the index the sync keeps,
 * with the same opaque cursors as the live route and the time the index was last brought up to date.
 * Each carries its revision; with `include_removed`, the folder's tombstones come too, by removal time.
 * A platform or folder the sync does not cover is refused rather than answered empty: the index could
 * never hold it, and an empty list would read as "nothing changed".
 */
export async function listIndexedConversations(
  deps: IndexedDependencies,
  query: IndexedConversationsRequest,
): Promise<ConversationsBatch & { syncedAt: string | null }> {
  const folder = query.folder ?? 'inbox';
  requireCovered('platform', query.platform, deps.platforms);
  requireCovered('folder', folder, deps.folders);
  const now = deps.now();
  const scope = cursorScope('index', [
    query.pageId,
    query.platform,
    folder,
    query.updatedSince.toISOString(),
    query.limit,
    query.fields,
    // Cursors of the two listings hold different positions: neither is taken by the other.
    ...(query.includeRemoved ? ['include_removed'] : []),
  ]);
  const paging = cursorPaging(deps.cursors, scope, query, now);
  const [record, cursor, state] = await Promise.all([
    deps.registry.get(query.pageId),
    paging.resolve(),
    deps.state.read(query.pageId),
  ]);
  // A Page the registry does not hold is unknown, whatever the index may still hold of it.
  if (record === undefined) throw new UnknownPageError(query.pageId);
  const partition = { pageId: query.pageId, platform: query.platform, folder };
  // A conversation past the retention is not shown, even before the sweep has removed it.
  const cutoff = deps.retention?.cutoff(now);
  const beyond = cutoff !== undefined && cutoff > query.updatedSince;
  if (beyond) await deps.retention?.askedBeyond(partition);
  const listingQuery = {
    ...partition,
    updatedSince: beyond ? cutoff : query.updatedSince,
    limit: query.limit,
    ...continueFrom(cursor),
  };
  const listing: IndexListing<ListedItem> = query.includeRemoved
    ? await deps.index.queryWithRemoved(listingQuery)
    : await deps.index.query(listingQuery);
  const shown = await withinRetention(deps, listingQuery, listing.data, now);
  const fields = new Set<string>(query.fields);
  // A live item carries its revision (0.3.0) whatever the fields asked; a tombstone is ids and times.
  const data = shown.map((item) =>
    'removed' in item ? { ...item } : { ...pickFields(item, fields), revision: item.revision },
  );
  const inner: { before?: string; after?: string } = {};
  if (listing.firstKey !== undefined) inner.before = listing.firstKey;
  if (listing.lastKey !== undefined) inner.after = listing.lastKey;
  return {
    data,
    cursors: await paging.save(inner),
    hasNext: listing.hasMoreAfter,
    hasPrevious: listing.hasMoreBefore,
    syncedAt: state.partitions[partitionName(query.platform, folder)]?.syncedAt ?? null,
  };
}

function requireCovered<T extends string>(parameter: string, value: T, covered: readonly T[]): void {
  if (covered.includes(value)) return;
  throw new InvalidRequestError(
    parameter,
    `"${parameter}" ${value} is not synced into the index, so updated_since cannot serve it; the sync covers ${covered.join(', ')}.`,
  );
}

/**
 * The listing without live conversations past the retention (the oldest, at the end of a listing, so
 * a page may hold fewer than `limit` while its cursor goes on); when there were some, their folder is
 * swept off the request path. Tombstones stay, as `include_removed` lists them by removal time.
 */
async function withinRetention(
  deps: IndexedDependencies,
  partition: { pageId: string; platform: Platform; folder: Folder },
  items: readonly ListedItem[],
  now: Date,
): Promise<ListedItem[]> {
  const cutoff = deps.retention?.cutoff(now);
  if (cutoff === undefined) return [...items];
  const cutoffSeconds = cutoff.getTime() / 1000;
  const shown = items.filter((item) => {
    if ('removed' in item) return true;
    const seconds = parseGraphTime(item.updated_time);
    return seconds === undefined || seconds >= cutoffSeconds;
  });
  if (shown.length < items.length)
    await deps.retention?.askedBeyond({
      pageId: partition.pageId,
      platform: partition.platform,
      folder: partition.folder,
    });
  return shown;
}
