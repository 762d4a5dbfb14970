import type { Folder, Platform } from '../domain/vocabulary.js';
import { type ConversationItem, folderOf } from './conversation-item.js';
import { expiredTombstone } from './index-listing.js';
import { keys, parseRemovedFolder } from './keys.js';
import { namesOf, type Table } from './table.js';

/** What the index holds of one conversation, as reconciliation and removals compare it. */
export interface IndexedState {
  /** The folder it is in (live) or was removed from (tombstone). */
  folder: Folder;
  /** Graph's `updated_time` as indexed. */
  updatedTime: string;
  revision: number;
  /** The writer's clock at the last write, epoch ms; 0 for an item last written before 0.3. */
  writtenAt: number;
  removed: boolean;
}

const PROJECTION_NAMES = namesOf<ConversationItem>({
  '#sk': 'sk',
  '#gpk': 'gsi1pk',
  '#ut': 'updated_time',
  '#doc': 'doc',
  '#rev': 'rev',
  '#wa': 'written_at',
  '#rm': 'removed_time',
  '#exp': 'expires_at',
});

/**
 * The state of many conversations of a Page's platform: BatchGetItem, 100 keys a call, strongly
 * consistent, unprocessed keys asked again. An id never indexed, or whose tombstone has expired, is
 * absent from the map.
 */
export async function readStates(
  table: Table,
  pageId: string,
  platform: Platform,
  ids: readonly string[],
  now: Date,
): Promise<Map<string, IndexedState>> {
  const unique = [...new Set(ids)];
  const items = await table.getMany<ConversationItem>(
    unique.map((id) => keys.conversation(pageId, platform, id)),
    // The doc only for items older than `updated_time` as an attribute (before 0.2).
    { attributes: '#sk, #gpk, #ut, #doc, #rev, #wa, #rm, #exp', names: PROJECTION_NAMES },
  );
  const states = new Map<string, IndexedState>();
  for (const item of items) {
    if (item.sk === undefined || expiredTombstone(item, now)) continue;
    const removed = item.removed_time !== undefined;
    const folder = removed ? parseRemovedFolder(item.gsi1pk)?.folder : folderOf(item);
    const updatedTime =
      item.updated_time ?? (JSON.parse(item.doc ?? '{}') as { updated_time?: string }).updated_time;
    if (folder === undefined || updatedTime === undefined) continue;
    states.set(item.sk, {
      folder,
      updatedTime,
      revision: item.rev ?? 0,
      writtenAt: item.written_at ?? 0,
      removed,
    });
  }
  return states;
}
