import type { IndexChangeRecord, RemovalReason } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { Folder } from '../domain/vocabulary.js';
import {
  type PendingEventsKey,
  parseConversationKey,
  parseIndexedFolder,
  parseRemovedFolder,
  type TableKey,
  type UpdatedTimeKey,
} from './keys.js';
import type { Expiring, Stored } from './table.js';

/**
 * An indexed conversation as stored: one item per conversation and platform (`keys.conversation`),
 * placed by `byUpdatedTime` in its folder while live, or in its folder's tombstones once removed. While
 * writes of it are undelivered it also carries the outbox mark (see `change-outbox.ts`), set by the same
 * UpdateItem as each write: the sparse `pendingEvents` keys, the undelivered writes themselves
 * (`pending`) and the state before the first of them (`event_prev`, `event_prev_key`).
 */
export interface ConversationItem extends TableKey, UpdatedTimeKey, Partial<PendingEventsKey>, Expiring {
  /** The conversation as Graph gave it, JSON; a tombstone has none (ids and times only). */
  doc: string;
  /** `doc`'s `updated_time`, kept by a tombstone (items written before 0.2 lack it). */
  updated_time: string;
  /** Raised by every write, a removal included; never restarts. */
  rev: number;
  /** The writer's clock at the last write, epoch ms (items written before 0.3 lack it). */
  written_at: number;
  /** A tombstone's: when it was removed (ISO 8601) and why; its `expires_at` is removed + TOMBSTONE_DAYS. */
  removed_time?: string;
  reason?: RemovalReason;
  /** The undelivered writes, oldest first, one `PendingEntry` JSON each: the last made `rev`. */
  pending?: string[];
  /** The `updated_time` held before the first undelivered write, `NO_PREVIOUS` when there was none. */
  event_prev?: string;
  /** The `gsi1pk` held before the first undelivered write (folder, live or removed), or `NO_PREVIOUS`. */
  event_prev_key?: string;
  /** 0.2's mark: epoch ms of its first undelivered change (its items have no `pending`). */
  pending_since?: number;
}

/** Stored as `event_prev` or `event_prev_key` when the conversation was new to the index. */
export const NO_PREVIOUS = '-';

/**
 * One undelivered write, as the writer knew it before it wrote, kept small: a conversation written
 * keeps its folder, time and field names, not its content, which the item's `doc` holds while it is the
 * last write (and the changes feed once recorded); a removal keeps its reason and time.
 */
export type PendingEntry =
  | { w: number; f: Folder; u: string; n: string[] }
  | { w: number; r: RemovalReason; t: string };

/**
 * A pending write as a record. `missing` names the fields of a written conversation the item no longer
 * holds: a write superseded before it was recorded, whose record is then sought in the changes feed.
 */
export interface PendingChange {
  record: IndexChangeRecord;
  missing?: string[];
}

/** What the index held of a conversation at some revision. */
interface HeldState {
  /** Live in a folder, a tombstone of one, or nothing (never indexed). */
  status: 'live' | 'removed' | 'absent';
  folder: Folder | undefined;
  updatedTime: string | null;
}

/** The live folder an item sits in; undefined for a tombstone or nothing. */
export const folderOf = (item: Stored<ConversationItem> | undefined): Folder | undefined =>
  parseIndexedFolder(item?.gsi1pk)?.folder;

/** Whether a stored item is a tombstone. */
export const isTombstone = (item: Stored<ConversationItem>): boolean => item.removed_time !== undefined;

function stateOf(updatedTime: string | undefined, indexKey: string | undefined): HeldState {
  const time = updatedTime === undefined || updatedTime === NO_PREVIOUS ? null : updatedTime;
  const live = parseIndexedFolder(indexKey);
  if (live !== undefined) return { status: 'live', folder: live.folder, updatedTime: time };
  const removed = parseRemovedFolder(indexKey);
  if (removed !== undefined) return { status: 'removed', folder: removed.folder, updatedTime: time };
  return { status: 'absent', folder: undefined, updatedTime: null };
}

/**
 * The item a write leaves, from the item as it was (`ALL_OLD`) and the entry it appended: the same
 * `if_not_exists` and `list_append` as the write's UpdateExpression (`pendingMark` in `index-write.ts`),
 * so that the writer derives the very records recovery would read back. `doc`: what it wrote, if live.
 */
export function afterWrite(
  old: Stored<ConversationItem> | undefined,
  entry: PendingEntry,
  key: TableKey,
  doc: string | undefined,
): Stored<ConversationItem> {
  return {
    ...key,
    rev: (old?.rev ?? 0) + 1,
    ...(doc === undefined ? {} : { doc }),
    pending: [...(old?.pending ?? []), JSON.stringify(entry)],
    event_prev: old?.event_prev ?? old?.updated_time ?? NO_PREVIOUS,
    event_prev_key: old?.event_prev_key ?? old?.gsi1pk ?? NO_PREVIOUS,
  };
}

/**
 * Every undelivered write an item holds, as records, oldest first: each entry read against the state
 * the one before it left, starting from the state before the first. The last entry made `rev`, so
 * entry i of n made `rev - n + 1 + i`. A written conversation's content is the item's `doc` for the
 * last entry, `previousDoc` (the item as the writer's `ALL_OLD` gave it) for the one before; any other
 * is `missing`. A 0.2 item (marked, no entries) gives its one pending change.
 */
export function pendingChangesOf(item: Stored<ConversationItem>, previousDoc?: string): PendingChange[] {
  const key = parseConversationKey(item);
  if (key === undefined || item.rev === undefined) return [];
  const { pageId, platform } = key;
  if (item.pending === undefined) return legacyChangeOf(item);
  let state = stateOf(item.event_prev, item.event_prev_key);
  const count = item.pending.length;
  const first = item.rev - count + 1;
  const changes: PendingChange[] = [];
  item.pending.forEach((text, i) => {
    const entry = JSON.parse(text) as PendingEntry;
    const ids = { pageId, platform, revision: first + i, writtenAt: entry.w };
    if ('r' in entry) {
      // A removal applies to a live item only (its condition), so the state names its folder and time.
      if (state.folder !== undefined && state.updatedTime !== null) {
        const conversation = { id: key.conversationId, updated_time: state.updatedTime };
        changes.push({
          record: {
            ...ids,
            kind: 'removed',
            folder: state.folder,
            conversation,
            removedTime: entry.t,
            reason: entry.r,
          },
        });
      }
      state = { ...state, status: 'removed' };
      return;
    }
    const doc = i === count - 1 ? item.doc : i === count - 2 ? previousDoc : undefined;
    const known = doc === undefined ? undefined : (JSON.parse(doc) as Conversation);
    const conversation = known ?? { id: key.conversationId, updated_time: entry.u };
    const folder = entry.f;
    // A tombstone written again comes back as created: it was not in the live index.
    const previousUpdatedTime = state.status === 'live' ? state.updatedTime : null;
    const fromFolder = state.status === 'live' ? state.folder : undefined;
    const record: IndexChangeRecord =
      fromFolder !== undefined && fromFolder !== folder
        ? { ...ids, kind: 'moved', folder, conversation, previousUpdatedTime, fromFolder }
        : { ...ids, kind: 'changed', folder, conversation, previousUpdatedTime };
    changes.push(
      known === undefined ? { record, missing: entry.n.filter((name) => !KEPT.has(name)) } : { record },
    );
    state = { status: 'live', folder, updatedTime: entry.u };
  });
  return changes;
}

/** What a record without its conversation's content still has: the entry's own. */
const KEPT = new Set(['id', 'updated_time']);

/** The one change a 0.2 writer left marked: the item as it stands, against the time held before. */
function legacyChangeOf(item: Stored<ConversationItem>): PendingChange[] {
  const key = parseConversationKey(item);
  const folder = folderOf(item);
  if (key === undefined || folder === undefined || item.doc === undefined || item.rev === undefined)
    return [];
  const before = item.event_prev;
  const record: IndexChangeRecord = {
    pageId: key.pageId,
    platform: key.platform,
    folder,
    kind: 'changed',
    conversation: JSON.parse(item.doc) as Conversation,
    revision: item.rev,
    writtenAt: item.written_at ?? item.pending_since ?? 0,
    previousUpdatedTime: before === undefined || before === NO_PREVIOUS ? null : before,
  };
  return [{ record }];
}
