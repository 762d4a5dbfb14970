import type { Conversation } from './conversation.js';
import type { Folder, Platform } from './vocabulary.js';

/**
 * The change events of the contract ("Change events (EventBridge)"): one per real change of the
 * conversation index, by the sync or by a webhook's refresh. Shared by the index, which decides what
 * changed, and the sinks, which deliver it: both sit above this module and beside each other.
 */
export const CHANGE_EVENT_SOURCE = 'page-conversations';
export const CHANGE_EVENT_DETAIL_TYPE = 'Conversation Changed';

export type ChangeKind = 'created' | 'updated';

/** An event's `Detail`. */
export interface ConversationChangeDetail {
  /** `<conversation id>@<updated_time>`: the same for the same change, so consumers de-duplicate on it. */
  event_id: string;
  page_id: string;
  platform: Platform;
  folder: Folder;
  change: ChangeKind;
  /** What the index held before this change; null when the conversation is new to it. */
  previous_updated_time: string | null;
  conversation: Conversation;
}

export function changeEventId(conversation: Pick<Conversation, 'id' | 'updated_time'>): string {
  return `${conversation.id}@${conversation.updated_time}`;
}

/**
 * One change of the index as its writer knows it and as the item keeps it until the event is
 * delivered: every field of the event's detail is derived from these, in `changeDetail` alone.
 */
export interface IndexChangeRecord {
  pageId: string;
  platform: Platform;
  folder: Folder;
  conversation: Conversation;
  /** The item's revision after this write: it rises by one with every write of the conversation. */
  revision: number;
  /**
   * The `updated_time` the index held before the change (before the earliest change still undelivered,
   * so that a conversation created and changed again before its event went out is announced as
   * created); null when the conversation was new to the index.
   */
  previousUpdatedTime: string | null;
}

/** The event of a change: the one place a detail is built, on write and on recovery alike. */
export function changeDetail(change: IndexChangeRecord): ConversationChangeDetail {
  return {
    event_id: changeEventId(change.conversation),
    page_id: change.pageId,
    platform: change.platform,
    folder: change.folder,
    change: change.previousUpdatedTime === null ? 'created' : 'updated',
    previous_updated_time: change.previousUpdatedTime,
    conversation: change.conversation,
  };
}

/** Where change events go. Delivers what it can and names the rest, so that only those are retried. */
export interface ChangeEventSink {
  /** Resolves with the `event_id`s it could not deliver; rejects only when it delivered nothing. */
  publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }>;
}
