import type { Conversation } from './conversation.js';
import type { Folder, Platform } from './vocabulary.js';

/**
 * The change events of the contract ("Change events (EventBridge)"): exactly one per write of the
 * conversation index, by the sync, a webhook's refresh, a reconciliation or an erasure. Shared by the
 * index, which decides what changed, the changes feed, which lists the same details in write order,
 * and the sinks, which deliver them: all sit above this module and beside each other.
 */
export const CHANGE_EVENT_SOURCE = 'page-conversations';

/** The `DetailType` of each kind of write. */
export const CHANGE_EVENT_DETAIL_TYPES = Object.freeze({
  changed: 'Conversation Changed',
  moved: 'Conversation Moved',
  removed: 'Conversation Removed',
} as const);
export type ChangeEventDetailType =
  (typeof CHANGE_EVENT_DETAIL_TYPES)[keyof typeof CHANGE_EVENT_DETAIL_TYPES];

/** Why a conversation left the index: Graph lists it in no covered folder, a person was erased, or it aged out. */
export const REMOVAL_REASONS = ['not_listed', 'erased', 'expired'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export type ChangeKind = 'created' | 'updated';

interface DetailIds {
  /** `<conversation id>@<revision>`: the same for the same write, so consumers de-duplicate on it. */
  event_id: string;
  /** The index item's revision after this write: 1 when created, one more for every write, never restarting. */
  revision: number;
  page_id: string;
  platform: Platform;
  /** Where the conversation is now; for a removal, where it was last indexed. */
  folder: Folder;
}

/** `Conversation Changed`: created in, or updated within, its folder. */
export interface ConversationChangedDetail extends DetailIds {
  change: ChangeKind;
  /** What the index held before this write; null when the conversation is new to it. */
  previous_updated_time: string | null;
  conversation: Conversation;
}

/** `Conversation Moved`: the write changed the folder (and maybe more). */
export interface ConversationMovedDetail extends ConversationChangedDetail {
  from_folder: Folder;
}

/** `Conversation Removed`: ids and times only, never a snippet, a name or a participant. */
export interface ConversationRemovedDetail extends DetailIds {
  conversation: Pick<Conversation, 'id' | 'updated_time'>;
  removed_time: string;
  reason: RemovalReason;
}

/** An event's `Detail`. */
export type ConversationChangeDetail =
  | ConversationChangedDetail
  | ConversationMovedDetail
  | ConversationRemovedDetail;

/** The `DetailType` a detail goes out under: read from its shape, so a sink cannot pair them wrongly. */
export function detailTypeOf(detail: ConversationChangeDetail): ChangeEventDetailType {
  if ('reason' in detail) return CHANGE_EVENT_DETAIL_TYPES.removed;
  if ('from_folder' in detail) return CHANGE_EVENT_DETAIL_TYPES.moved;
  return CHANGE_EVENT_DETAIL_TYPES.changed;
}

export function changeEventId(conversationId: string, revision: number): string {
  return `${conversationId}@${revision}`;
}

interface RecordIds {
  pageId: string;
  platform: Platform;
  /** As in the detail: now, or last indexed for a removal. */
  folder: Folder;
  /** The item's revision after this write. */
  revision: number;
  /** The writer's clock when it wrote (epoch ms): the write's place in the changes feed. */
  writtenAt: number;
}

/**
 * One write of the index as its writer knows it and as the item keeps it until the event is
 * delivered: every field of the event's detail is derived from these, in `changeDetail` alone.
 */
export type IndexChangeRecord = RecordIds &
  (
    | {
        kind: 'changed';
        conversation: Conversation;
        /** The `updated_time` the index held before this write; null when new to it (or removed). */
        previousUpdatedTime: string | null;
      }
    | { kind: 'moved'; conversation: Conversation; previousUpdatedTime: string | null; fromFolder: Folder }
    | {
        kind: 'removed';
        conversation: Pick<Conversation, 'id' | 'updated_time'>;
        removedTime: string;
        reason: RemovalReason;
      }
  );

/** The event of a write: the one place a detail is built, on write and on recovery alike. */
export function changeDetail(record: IndexChangeRecord): ConversationChangeDetail {
  const ids: DetailIds = {
    event_id: changeEventId(record.conversation.id, record.revision),
    revision: record.revision,
    page_id: record.pageId,
    platform: record.platform,
    folder: record.folder,
  };
  if (record.kind === 'removed') {
    const { id, updated_time } = record.conversation;
    return {
      ...ids,
      conversation: { id, updated_time },
      removed_time: record.removedTime,
      reason: record.reason,
    };
  }
  const changed: ConversationChangedDetail = {
    ...ids,
    change: record.previousUpdatedTime === null ? 'created' : 'updated',
    previous_updated_time: record.previousUpdatedTime,
    conversation: record.conversation,
  };
  return record.kind === 'moved' ? { ...changed, from_folder: record.fromFolder } : changed;
}

/** Where change events go. Delivers what it can and names the rest, so that only those are retried. */
export interface ChangeEventSink {
  /** Resolves with the `event_id`s it could not deliver; rejects only when it delivered nothing. */
  publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }>;
}
