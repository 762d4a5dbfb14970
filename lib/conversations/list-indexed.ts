import type { IndexedConversationsRequest } from '../domain/shapes/queries.js';
import { partitionName } from '../domain/sync-state.js';
import type { ConversationIndex } from '../store/conversation-index.js';
import type { CursorStore } from '../store/cursor-store.js';
import type { SyncStateStore } from '../store/sync-state-store.js';
import type { TokenSource } from '../tokens/token-source.js';
import { pickFields } from './conversation-fields.js';
import { continueFrom, cursorPaging, cursorScope } from './cursor-paging.js';
import type { ConversationsBatch } from './list-conversations.js';

export interface IndexedDependencies {
  index: ConversationIndex;
  cursors: CursorStore;
  state: SyncStateStore;
  tokens: TokenSource;
  now: () => Date;
}

/**
 * What Graph cannot do: the conversations updated after an instant, from the index the sync keeps,
 * with the same opaque cursors as the live route and the time the index was last brought up to date.
 */
export async function listIndexedConversations(
  deps: IndexedDependencies,
  query: IndexedConversationsRequest,
): Promise<ConversationsBatch & { syncedAt: string | null }> {
  const now = deps.now();
  const folder = query.folder ?? 'inbox';
  const scope = cursorScope('index', [
    query.pageId,
    query.platform,
    folder,
    query.updatedSince.toISOString(),
    query.limit,
    query.fields,
  ]);
  const paging = cursorPaging(deps.cursors, scope, query, now);
  // A page with no token is unknown here too, whatever the index may still hold.
  const [, cursor, state] = await Promise.all([
    deps.tokens.get(query.pageId),
    paging.resolve(),
    deps.state.read(query.pageId),
  ]);
  const page = await deps.index.query({
    pageId: query.pageId,
    platform: query.platform,
    folder,
    updatedSince: query.updatedSince,
    limit: query.limit,
    ...continueFrom(cursor),
  });
  const fields = new Set<string>(query.fields);
  // Each live item carries its revision (0.3.0) whatever the fields asked.
  const data = page.data.map((item) => ({ ...pickFields(item, fields), revision: item.revision }));
  const inner: { before?: string; after?: string } = {};
  if (page.firstKey !== undefined) inner.before = page.firstKey;
  if (page.lastKey !== undefined) inner.after = page.lastKey;
  return {
    data,
    cursors: await paging.save(inner),
    hasNext: page.hasMoreAfter,
    hasPrevious: page.hasMoreBefore,
    syncedAt: state.partitions[partitionName(query.platform, folder)]?.syncedAt ?? null,
  };
}
