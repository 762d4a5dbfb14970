import { INDEX_KEY_PREFIXES, KEY_PREFIXES } from '#lib/store/table-schema.js';
import type { TableAccess } from './conversations-table.js';

/**
 * What each function may do to which items of the table: exactly the calls its `lib/` code makes, on
 * the partitions it owns (`dynamodb:LeadingKeys`), read from the stores in `lib/store/`. One file, so
 * that a reviewer compares the functions side by side, and the tests read the synthesized policies
 * against it. Nothing is deleted except an Instagram mapping that moved: expiry is DynamoDB's TTL.
 */
const {
  backoff,
  changes,
  conversation,
  cursor,
  deletionRequest,
  erasure,
  instagramAccount,
  page,
  pacing,
  person,
  reconcile,
  registry,
  syncRequest,
} = KEY_PREFIXES;
const { indexedFolder, pendingEvents, removedFolder } = INDEX_KEY_PREFIXES;

/**
 * The API: cursors and back-off marks (read and written), a Page's sync state (read only: `PAGE#`
 * is never written, so it cannot overwrite a lease or a checkpoint) and when `POST /sync` last started
 * a run (`SYNCREQ#`, read and written), the registry (`GET /pages` queries it; token health updates
 * it), and the index through gsi1 only.
 */
export const API_TABLE_ACCESS: TableAccess = {
  items: [
    { actions: ['GetItem'], keyPrefixes: [cursor, backoff, page, registry, syncRequest] },
    // `SYNCREQ#`: when POST /sync started a run, kept apart from the sync state it may not write.
    { actions: ['PutItem'], keyPrefixes: [cursor, backoff, syncRequest] },
    { actions: ['Query', 'UpdateItem'], keyPrefixes: [registry] },
    // The listed Pages' run summaries (`PAGE#<id>`/`SUMMARY`), one BatchGetItem per answer.
    { actions: ['BatchGetItem'], keyPrefixes: [page] },
    // The changes feed, read below the oldest pending write (gsi2) of the Page.
    { actions: ['Query'], keyPrefixes: [changes] },
  ],
  indexQueries: [
    { indexName: 'gsi1', keyPrefixes: [indexedFolder, removedFolder] },
    { indexName: 'gsi2', keyPrefixes: [pendingEvents] },
  ],
};

/** The schedule: which Pages exist, from the registry. Nothing else of the table, and no secret. */
export const SCHEDULE_TABLE_ACCESS: TableAccess = {
  items: [{ actions: ['Query'], keyPrefixes: [registry] }],
  indexQueries: [],
};

/**
 * The sync worker: back-off marks; sync state, lease, folder counts and the run's summary (`PAGE#`,
 * updated in place);
 * index entries with their pending-event marks (`CONV#`); the registry (token health, the Page's name)
 * with its Instagram mapping, whose old item it deletes when the account moved;
 * a reconciliation's chunks (`RECON#`); gsi1 to recount a folder and list its live ids, gsi2 for the
 * change events a dead writer left.
 */
export const SYNC_WORKER_TABLE_ACCESS: TableAccess = {
  items: [
    { actions: ['GetItem'], keyPrefixes: [backoff, page, registry] },
    { actions: ['PutItem'], keyPrefixes: [backoff] },
    { actions: ['BatchWriteItem'], keyPrefixes: [changes] },
    { actions: ['UpdateItem'], keyPrefixes: [page, conversation, registry, instagramAccount] },
    // Index items read by reconciliation and removals; feed records a superseded pending write may have.
    { actions: ['BatchGetItem'], keyPrefixes: [conversation, changes] },
    { actions: ['DeleteItem'], keyPrefixes: [instagramAccount] },
    // A reconciliation's chunks of seen ids: written once each, read back by scan.
    { actions: ['PutItem', 'Query'], keyPrefixes: [reconcile] },
    // Before each index write: the people's erasure records and refs (one BatchGetItem), new refs put;
    // the retention sweep deletes the refs of what it expired.
    { actions: ['BatchGetItem'], keyPrefixes: [erasure, person] },
    { actions: ['DeleteItem', 'PutItem'], keyPrefixes: [person] },
  ],
  indexQueries: [
    { indexName: 'gsi1', keyPrefixes: [indexedFolder] },
    { indexName: 'gsi2', keyPrefixes: [pendingEvents] },
  ],
};

/**
 * The webhook refresh worker: back-off marks; a refresh's coalescing item and the folder counts
 * (`PAGE#`); the cross-container Graph pacing (`PACE#`); index entries (`CONV#`); the registry and the
 * Instagram mapping, read to find the Page, and token health written; gsi2 for pending events.
 */
export const REFRESH_TABLE_ACCESS: TableAccess = {
  items: [
    { actions: ['GetItem'], keyPrefixes: [backoff, page, pacing, registry, instagramAccount] },
    { actions: ['PutItem'], keyPrefixes: [backoff] },
    // Feed records: written, and read back for a superseded pending write (recovery of a dead writer's
    // changes). One item, as IAM's policy minimization merges them into one statement anyway.
    { actions: ['BatchGetItem', 'BatchWriteItem'], keyPrefixes: [changes] },
    { actions: ['UpdateItem'], keyPrefixes: [page, pacing, conversation, registry] },
    // Before each index write: the people's erasure records and refs (one BatchGetItem), new refs put.
    { actions: ['BatchGetItem'], keyPrefixes: [erasure, person] },
    { actions: ['PutItem'], keyPrefixes: [person] },
  ],
  indexQueries: [{ indexName: 'gsi2', keyPrefixes: [pendingEvents] }],
};

/**
 * The erasure function (`POST /pages/{pageId}/erasures` and its queue): a person's refs (read and
 * deleted) and erasure record (written); their conversations' items read and tombstoned, the folder
 * counts and their refresh items (`PAGE#`); the changes feed's records of them rewritten; the registry
 * (is the Page there; every Page for Meta's callback); a callback's status; gsi1 to find conversations
 * past the retention. It writes no live conversation, and reads no token.
 */
export const ERASURE_TABLE_ACCESS: TableAccess = {
  items: [
    { actions: ['GetItem', 'Query'], keyPrefixes: [registry] },
    { actions: ['DeleteItem', 'Query'], keyPrefixes: [person] },
    { actions: ['PutItem'], keyPrefixes: [erasure] },
    { actions: ['BatchGetItem', 'UpdateItem'], keyPrefixes: [conversation] },
    { actions: ['DeleteItem', 'UpdateItem'], keyPrefixes: [page] },
    { actions: ['BatchWriteItem', 'PutItem', 'Query'], keyPrefixes: [changes] },
    { actions: ['UpdateItem'], keyPrefixes: [deletionRequest] },
  ],
  indexQueries: [{ indexName: 'gsi1', keyPrefixes: [indexedFolder] }],
};

/**
 * The webhook receiver: Meta's data-deletion requests by confirmation code (`DELETION#`), recorded and
 * read for the status page. Nothing else of the table.
 */
export const RECEIVER_TABLE_ACCESS: TableAccess = {
  items: [{ actions: ['GetItem', 'PutItem'], keyPrefixes: [deletionRequest] }],
  indexQueries: [],
};

/**
 * Partitions no function touches: only operators' own credentials, through `npm run pages`
 * (`SECRETLOCK#`: the lock two operators take before writing one shared secret), and the local
 * runtime's person-hash key (`PERSONKEY#`: in AWS the key is a secret, never an item).
 */
export const OPERATOR_ONLY_PREFIXES: readonly string[] = [KEY_PREFIXES.secretLock, KEY_PREFIXES.personKey];
