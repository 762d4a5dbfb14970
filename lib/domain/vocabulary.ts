/**
 * The words of Graph's conversations edge that this product accepts: platforms, folders and fields.
 * Validation, the Graph client, the sync and the emulator all read them from here.
 */

export const PLATFORMS = ['messenger', 'instagram'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const FOLDERS = ['inbox', 'other', 'page_done', 'spam'] as const;
export type Folder = (typeof FOLDERS)[number];

/** Graph spells platforms in capitals: `platform=MESSENGER`. */
export function graphPlatform(platform: Platform): string {
  return platform.toUpperCase();
}

/** Conversation fields a caller may ask for (Graph's Conversation node, without edges that page). */
export const CONVERSATION_FIELDS = [
  'id',
  'updated_time',
  'link',
  'snippet',
  'message_count',
  'unread_count',
  'participants',
  'senders',
  'can_reply',
  'is_subscribed',
  'name',
  'subject',
  'former_participants',
  'scoped_thread_key',
] as const;
export type ConversationField = (typeof CONVERSATION_FIELDS)[number];

/** Fields Graph has on each platform's conversations; asking for another is Graph error 100. */
export const PLATFORM_FIELDS: Readonly<Record<Platform, ReadonlySet<ConversationField>>> = Object.freeze({
  messenger: new Set(CONVERSATION_FIELDS),
  instagram: new Set<ConversationField>([
    'id',
    'updated_time',
    'participants',
    'message_count',
    'unread_count',
    'can_reply',
    'is_subscribed',
    'name',
  ]),
});

/**
 * Instagram conversations expose fewer fields than Messenger ones; asking for a Messenger-only field
 * is Graph error 100, so the defaults differ by platform.
 */
export const DEFAULT_FIELDS: Readonly<Record<Platform, readonly ConversationField[]>> = Object.freeze({
  messenger: ['id', 'updated_time', 'link', 'snippet', 'message_count', 'unread_count', 'participants'],
  instagram: ['id', 'updated_time', 'participants'],
});

/** Fields the conversation index stores, and so all that `updated_since` can serve. */
export const INDEXED_FIELDS: readonly ConversationField[] = DEFAULT_FIELDS.messenger;

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
