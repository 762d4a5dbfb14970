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

/** Where change events go. Delivers what it can and names the rest, so that only those are retried. */
export interface ChangeEventSink {
  /** Resolves with the `event_id`s it could not deliver; rejects only when it delivered nothing. */
  publish(details: readonly ConversationChangeDetail[]): Promise<{ undelivered: string[] }>;
}
