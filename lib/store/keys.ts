import { graphSeconds, sortableSecond } from '../domain/graph-time.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';
import { INDEX_KEY_PREFIXES, KEY_PREFIXES, KEY_SEPARATOR, SORT_KEYS, TABLE_KEYS } from './table-schema.js';

/**
 * Every key of the table, built and parsed here from the words `table-schema.ts` declares, so that no
 * store spells a prefix. The strings are the ones stored since the table began: changing one would
 * orphan the items already written under it.
 */

const { partitionKey, sortKey, byUpdatedTime, pendingEvents } = TABLE_KEYS;

/** An item's primary key as stored. */
export type TableKey = Record<typeof partitionKey | typeof sortKey, string>;

/** Where an indexed conversation sits in the `byUpdatedTime` index. */
export type UpdatedTimeKey = Record<typeof byUpdatedTime.partitionKey | typeof byUpdatedTime.sortKey, string>;

/** The sparse `pendingEvents` index: set on an indexed conversation while its event is undelivered. */
export type PendingEventsKey = Record<
  typeof pendingEvents.partitionKey | typeof pendingEvents.sortKey,
  string
>;

/** One folder of one platform of a Page: a partition of the `byUpdatedTime` index. */
export interface IndexPartition {
  pageId: string;
  platform: Platform;
  folder: Folder;
}

/** A Page id zero-padded to the longest id the API accepts, so that string order is numeric order. */
const REGISTRY_ID_WIDTH = 32;

const join = (...parts: readonly string[]): string => parts.join(KEY_SEPARATOR);
const tableKey = (pk: string, sk: string): TableKey => ({ [partitionKey]: pk, [sortKey]: sk });

/** The primary key of each kind of item, from its ids. */
export const keys = Object.freeze({
  cursor: (cursorId: string) => tableKey(KEY_PREFIXES.cursor + cursorId, SORT_KEYS.cursor),
  /** Its own partition, not the Page's `PAGE#`: see `backoff-store.ts`. */
  backoff: (pageId: string) => tableKey(KEY_PREFIXES.backoff + pageId, SORT_KEYS.backoff),
  syncState: (pageId: string) => tableKey(KEY_PREFIXES.page + pageId, SORT_KEYS.syncState),
  /**
   * The latest run's summary, under the Page's own partition: every run writes it, and under the
   * registry's one partition a round's writes would all land on one key.
   */
  syncSummary: (pageId: string) => tableKey(KEY_PREFIXES.page + pageId, SORT_KEYS.syncSummary),
  folderCount: (pageId: string, platform: Platform, folder: Folder) =>
    tableKey(KEY_PREFIXES.page + pageId, SORT_KEYS.folderCount + join(platform, folder)),
  refresh: (pageId: string, platform: Platform, personId: string) =>
    tableKey(KEY_PREFIXES.page + pageId, SORT_KEYS.refresh + join(platform, personId)),
  /** `account`: `<pageId>:<platform>`, as the sync's pacer names it. */
  pacing: (account: string) => tableKey(KEY_PREFIXES.pacing + account, SORT_KEYS.pacing),
  conversation: (pageId: string, platform: Platform, conversationId: string) =>
    tableKey(conversationsPartition(pageId, platform), conversationId),
  /** The registry is one partition, so that a Query lists every Page in id order. */
  registeredPage: (pageId: string) => tableKey(KEY_PREFIXES.registry, registrySortKey(pageId)),
  instagramAccount: (instagramAccountId: string) =>
    tableKey(KEY_PREFIXES.instagramAccount + instagramAccountId, SORT_KEYS.instagramAccount),
  secretLock: (secretId: string) => tableKey(KEY_PREFIXES.secretLock + secretId, SORT_KEYS.secretLock),
  /** One change of a Page's feed, at its place in write order (`feedKeys.change`). */
  change: (pageId: string, changeKey: string) => tableKey(changesPartition(pageId), changeKey),
  /** One chunk of a reconciliation's seen ids: a scan's chunks sort by `seq` (see `reconcileScanPrefix`). */
  reconcileChunk: (pageId: string, platform: Platform, scanId: string, seq: number) =>
    tableKey(reconcilePartition(pageId, platform), reconcileScanPrefix(scanId) + reconcileSeq(seq)),
  syncRequest: (pageId: string) => tableKey(KEY_PREFIXES.syncRequest + pageId, SORT_KEYS.syncRequest),
  /** When a Page was last swept for conversations past the retention (under the Page's own partition). */
  retentionSweep: (pageId: string) => tableKey(KEY_PREFIXES.page + pageId, SORT_KEYS.retentionSweep),
  /** One conversation of a person on a Page: `personHash` is the keyed hash of their id, never the id. */
  personRef: (pageId: string, personHash: string, platform: Platform, conversationId: string) =>
    tableKey(personPartition(pageId, personHash), join(platform, conversationId)),
  /** That a person was erased from a Page (keyed hash and time only). */
  erasure: (pageId: string, personHash: string) =>
    tableKey(KEY_PREFIXES.erasure + join(pageId, personHash), SORT_KEYS.erasure),
  /** A data-deletion request of Meta's callback, by its confirmation code. */
  deletionRequest: (code: string) => tableKey(KEY_PREFIXES.deletionRequest + code, SORT_KEYS.deletionRequest),
  /** The local runtime's person-hash key (`name`: `local`). */
  personKey: (name: string) => tableKey(KEY_PREFIXES.personKey + name, SORT_KEYS.personKey),
});

/** The partition of one person's conversation refs on a Page. */
export function personPartition(pageId: string, personHash: string): string {
  return KEY_PREFIXES.person + join(pageId, personHash);
}

/** The platform and conversation id of a person ref's sort key; undefined for anything else. */
export function parsePersonRef(
  sortKeyValue: string | undefined,
): { platform: Platform; conversationId: string } | undefined {
  if (sortKeyValue === undefined) return undefined;
  const cut = sortKeyValue.indexOf(KEY_SEPARATOR);
  if (cut < 0) return undefined;
  const platform = sortKeyValue.slice(0, cut);
  const conversationId = sortKeyValue.slice(cut + 1);
  if (conversationId === '' || conversationId.includes(KEY_SEPARATOR) || !isOneOf(PLATFORMS, platform))
    return undefined;
  return { platform, conversationId };
}

/** The partition of a Page's conversations on one platform, live and tombstoned, every folder. */
export function conversationsPartition(pageId: string, platform: Platform): string {
  return KEY_PREFIXES.conversation + join(pageId, platform);
}

/** The partition of a Page's changes feed. */
export function changesPartition(pageId: string): string {
  return KEY_PREFIXES.changes + pageId;
}

/** The partition of a platform's reconciliation chunks. */
export function reconcilePartition(pageId: string, platform: Platform): string {
  return KEY_PREFIXES.reconcile + join(pageId, platform);
}

/** The sort-key prefix of one reconciliation's chunks, for `begins_with`. */
export function reconcileScanPrefix(scanId: string): string {
  return scanId + KEY_SEPARATOR;
}

/** A chunk's number, zero-padded so that string order is numeric order (a million listings per scan). */
const reconcileSeq = (seq: number): string => String(seq).padStart(6, '0');

/** The registry's one partition key. */
export const REGISTRY_PARTITION = KEY_PREFIXES.registry;

/** A registered Page's sort key: also the bound of a listing that starts after (or before) a Page. */
export function registrySortKey(pageId: string): string {
  return pageId.padStart(REGISTRY_ID_WIDTH, '0');
}

/** The keys of the global indexes. */
export const indexKeys = Object.freeze({
  /** `gsi1pk`: one folder of a Page's platform. */
  indexedFolder: ({ pageId, platform, folder }: IndexPartition) =>
    INDEX_KEY_PREFIXES.indexedFolder + join(pageId, platform, folder),
  /** `gsi1sk`: ordered by the second of `updated_time`, then by id. */
  updatedOrder: (conversation: { id: string; updated_time: string }) =>
    join(sortableSecond(graphSeconds(conversation.updated_time)), conversation.id),
  /**
   * The lowest `updatedOrder` of a conversation updated later than `instant`: times have one-second
   * resolution, so "later than t" is "at or after the next whole second".
   */
  updatedAfter: (instant: Date) => sortableSecond(Math.floor(instant.getTime() / 1000) + 1),
  /** `gsi2pk`: the change events of a Page not yet delivered. */
  pendingEvents: (pageId: string) => INDEX_KEY_PREFIXES.pendingEvents + pageId,
  /** `gsi1pk` of a tombstone: the folder it was removed from, apart from the live ones. */
  removedFolder: ({ pageId, platform, folder }: IndexPartition) =>
    INDEX_KEY_PREFIXES.removedFolder + join(pageId, platform, folder),
  /** `gsi1sk` of a tombstone: ordered by the second it was removed, then by id. */
  removedOrder: (removedTime: Date, conversationId: string) =>
    join(sortableSecond(Math.floor(removedTime.getTime() / 1000)), conversationId),
});

/** Digits of a write's epoch milliseconds in an order key: string order is time order until 2286. */
const WRITE_TIME_DIGITS = 13;
/** Digits of a revision in a change's key: string order is revision order. */
const REVISION_DIGITS = 10;
const CHANGE_KEY = new RegExp(
  `^(\\d{${WRITE_TIME_DIGITS}})(?:#([a-z]+)#([^#]+)(?:#(\\d{${REVISION_DIGITS}}))?)?$`,
);

/**
 * The keys of the write order: the changes feed sorts by them, and the outbox's `gsi2sk` holds one,
 * so that the oldest undelivered write of a Page is one Query away.
 */
export const feedKeys = Object.freeze({
  /** An instant in write order: below every change written at or after it, above those before it. */
  instant: (epochMs: number) => String(Math.max(0, Math.floor(epochMs))).padStart(WRITE_TIME_DIGITS, '0'),
  /** `gsi2sk` of a pending write: when, then which conversation. */
  write: (writtenAt: number, platform: Platform, conversationId: string) =>
    join(feedKeys.instant(writtenAt), platform, conversationId),
  /** A feed change's sort key: its write's key and the revision it made. */
  change: (writtenAt: number, platform: Platform, conversationId: string, revision: number) =>
    join(
      feedKeys.write(writtenAt, platform, conversationId),
      String(revision).padStart(REVISION_DIGITS, '0'),
    ),
});

/** The write time of an instant, a write or a change key (`feedKeys`); undefined for anything else. */
export function parseFeedKey(key: string): { writtenAt: number } | undefined {
  const match = CHANGE_KEY.exec(key);
  if (match === null) return undefined;
  const platform = match[2];
  if (platform !== undefined && !isOneOf(PLATFORMS, platform)) return undefined;
  return { writtenAt: Number(match[1]) };
}

/** The Page, platform and id of an indexed conversation's key; undefined for any other key. */
export function parseConversationKey(
  key: Partial<TableKey>,
): { pageId: string; platform: Platform; conversationId: string } | undefined {
  const parts = partsAfter(key[partitionKey], KEY_PREFIXES.conversation, 2);
  const conversationId = key[sortKey];
  if (parts === undefined || conversationId === undefined) return undefined;
  const [pageId, platform] = parts as [string, string];
  return isOneOf(PLATFORMS, platform) ? { pageId, platform, conversationId } : undefined;
}

/** The folder a live item's `gsi1pk` names; undefined for anything else (a tombstone's included). */
export function parseIndexedFolder(indexKey: string | undefined): IndexPartition | undefined {
  return parseFolderKey(indexKey, INDEX_KEY_PREFIXES.indexedFolder);
}

/** The folder a tombstone's `gsi1pk` names (where it was removed from); undefined for anything else. */
export function parseRemovedFolder(indexKey: string | undefined): IndexPartition | undefined {
  return parseFolderKey(indexKey, INDEX_KEY_PREFIXES.removedFolder);
}

function parseFolderKey(indexKey: string | undefined, prefix: string): IndexPartition | undefined {
  const parts = partsAfter(indexKey, prefix, 3);
  if (parts === undefined) return undefined;
  const [pageId, platform, folder] = parts as [string, string, string];
  return isOneOf(PLATFORMS, platform) && isOneOf(FOLDERS, folder) ? { pageId, platform, folder } : undefined;
}

/** The `count` non-empty parts of a key after its prefix, or undefined when it has other parts. */
function partsAfter(key: string | undefined, prefix: string, count: number): string[] | undefined {
  if (key === undefined || !key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split(KEY_SEPARATOR);
  return parts.length === count && parts.every((part) => part !== '') ? parts : undefined;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
