import type { IndexChangeRecord } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { Folder } from '../domain/vocabulary.js';
import {
  type PendingEventsKey,
  parseConversationKey,
  parseIndexedFolder,
  type TableKey,
  type UpdatedTimeKey,
} from './keys.js';
import type { Stored } from './table.js';

/**
 * An indexed conversation as stored: one item per conversation and platform (`keys.conversation`),
 * placed in its folder by `byUpdatedTime`. While its change event is undelivered it also carries the
 * outbox mark (see `change-outbox.ts`): the sparse `pendingEvents` keys, `event_prev` and
 * `pending_since`, all set by the same UpdateItem that wrote the change.
 */
export interface ConversationItem extends TableKey, UpdatedTimeKey, Partial<PendingEventsKey> {
  /** The conversation as Graph gave it, JSON. */
  doc: string;
  /** `doc`'s `updated_time`, for conditions and the outbox (items written before it existed lack it). */
  updated_time: string;
  /** Raised by every write that changes the item. */
  rev: number;
  /** The `updated_time` an undelivered event names as the one held before, `NO_PREVIOUS` when new. */
  event_prev?: string;
  /** Epoch ms of the first undelivered change: recovery leaves young ones to their writer. */
  pending_since?: number;
}

/** Stored as `event_prev` when the conversation was new to the index. */
export const NO_PREVIOUS = '-';

/** The folder an item sat in. */
export const folderOf = (item: Stored<ConversationItem> | undefined): Folder | undefined =>
  parseIndexedFolder(item?.gsi1pk)?.folder;

/**
 * What a write's event names as held before, read from the item as it was (`ALL_OLD`): the undelivered
 * event's own "before" while one is pending, else the time the item held. The write's UpdateExpression
 * stores the same value as `event_prev`, which is what `pendingChangeOf` reads back on recovery.
 */
export function previousTime(old: Stored<ConversationItem> | undefined): string | null {
  if (old === undefined) return null;
  const before =
    old.gsi2pk !== undefined
      ? old.event_prev
      : (old.updated_time ?? (JSON.parse(old.doc ?? '{}') as Partial<Conversation>).updated_time);
  return before === undefined || before === NO_PREVIOUS ? null : before;
}

/** The change a marked item holds, as the writer knew it: what recovery emits. */
export function pendingChangeOf(item: Stored<ConversationItem>): IndexChangeRecord | undefined {
  const key = parseConversationKey(item);
  const folder = folderOf(item);
  if (key === undefined || folder === undefined || item.doc === undefined || item.rev === undefined) {
    return undefined;
  }
  const before = item.event_prev;
  return {
    pageId: key.pageId,
    platform: key.platform,
    folder,
    conversation: JSON.parse(item.doc) as Conversation,
    revision: item.rev,
    previousUpdatedTime: before === undefined || before === NO_PREVIOUS ? null : before,
  };
}
