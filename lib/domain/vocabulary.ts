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

/** Fields the index stores for each platform: the sync and the webhook refresh ask Graph for exactly these. */
export const indexedFieldsOf = (platform: Platform): ConversationField[] =>
  INDEXED_FIELDS.filter((field) => PLATFORM_FIELDS[platform].has(field));

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/**
 * A Page id: digits without a leading zero, its one form on every route (`0123` is not Page 123: the
 * registry's keys pad ids with zeros, so a second spelling would reach the same item by another path).
 * A Page- or Instagram-scoped user id in a query: digits only. Written once as pattern strings, so that
 * the validation and the OpenAPI document cannot drift apart.
 */
export const PAGE_ID_PATTERN = '^[1-9][0-9]{0,31}$';
export const SCOPED_USER_ID_PATTERN = '^[0-9]{1,32}$';

const PAGE_ID = new RegExp(PAGE_ID_PATTERN);

/** Whether a value is a Page id: the one check every entry point (path, queue message, CLI) applies. */
export function isPageId(value: string): boolean {
  return PAGE_ID.test(value);
}
