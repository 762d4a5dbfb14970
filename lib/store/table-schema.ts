/**
 * The one DynamoDB table's key design, shared by the stores (through `keys.ts`, which builds and parses
 * every key from these words), the embedded DynamoDB of the local runtime and the CDK construct, so
 * that all three always agree.
 *
 * | item                | pk                         | sk                  | gsi1pk / gsi1sk                          |
 * |---------------------|----------------------------|---------------------|------------------------------------------|
 * | API cursor          | `CURSOR#<random key>`      | `CURSOR`            |                                          |
 * | back-off of a Page  | `BACKOFF#<pageId>`         | `BACKOFF`           |                                          |
 * | sync state and lease| `PAGE#<pageId>`            | `SYNC`              |                                          |
 * | last run's summary  | `PAGE#<pageId>`            | `SUMMARY`           |                                          |
 * | indexed count       | `PAGE#<pageId>`            | `COUNT#<platform>#<folder>` |                                  |
 * | webhook refresh     | `PAGE#<pageId>`            | `REFRESH#<platform>#<person>` |                                 |
 * | retention sweep     | `PAGE#<pageId>`            | `SWEEP`             |                                          |
 * | Graph call pacing   | `PACE#<account>`           | `PACE`              |                                          |
 * | indexed conversation| `CONV#<pageId>#<platform>` | `<conversation id>` | `IDX#<pageId>#<platform>#<folder>` / `<updated_time>#<id>` |
 * | its tombstone       | (the same item)            |                     | `RMV#<pageId>#<platform>#<folder>` / `<removed_time>#<id>` |
 * | change of the feed  | `CHANGES#<pageId>`         | `<written_at ms, 13 digits>#<platform>#<id>#<revision, 10 digits>` | |
 * | registered Page     | `PAGES`                    | Page id, zero-padded to 32 digits (numeric order) |          |
 * | Instagram -> Page   | `IGACCOUNT#<igAccountId>`  | `PAGE`              |                                          |
 * | shared-secret lock  | `SECRETLOCK#<secretId>`    | `LOCK`              |                                          |
 * | reconciliation ids  | `RECON#<pageId>#<platform>` | `<scanId>#<seq, 6 digits>` | (expires)                        |
 * | sync requested      | `SYNCREQ#<pageId>`         | `REQUEST`           | (expires)                                |
 * | a person's conversation | `PERSON#<pageId>#<person hash>` | `<platform>#<conversation id>` |                     |
 * | an erasure          | `ERASED#<pageId>#<person hash>` | `ERASED`       |                                          |
 * | data-deletion request | `DELETION#<confirmation code>` | `DELETION`    | (expires)                                |
 * | local person-hash key | `PERSONKEY#local`        | `KEY`               | (the local runtime's only)               |
 *
 * `gsi2pk` / `gsi2sk` (the sparse `pendingEvents` index) are set on an indexed conversation whose change
 * event is not yet delivered: `EVENTS#<pageId>` / `<written_at ms, 13 digits>#<platform>#<id>` of its oldest
 * undelivered write (items left pending by 0.2 hold `<updated_time>#<id>` there).
 *
 * Items that expire carry `expires_at` (epoch seconds): DynamoDB's TTL deletes them eventually (up to
 * days late) and every reader checks it too, since the embedded DynamoDB never deletes anything.
 */
export const TABLE_KEYS = Object.freeze({
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLive: 'expires_at',
  byUpdatedTime: Object.freeze({ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }),
  /** Sparse: only items with a change event not yet delivered carry its keys. */
  pendingEvents: Object.freeze({ indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' }),
});

/** Every global secondary index, all with string keys and all attributes projected. */
export const GLOBAL_INDEXES = Object.freeze([TABLE_KEYS.byUpdatedTime, TABLE_KEYS.pendingEvents]);

/**
 * The partition keys of the items above, by what they hold: each ends in `#` and is followed by an
 * id, except the registry's one partition, `PAGES`, which is the whole key. Sort keys (`COUNT#`,
 * `REFRESH#`, ...) are not here: access is granted by partition (`dynamodb:LeadingKeys`). The CDK
 * grants name these, and a test checks that every partition key a store writes starts with one.
 */
export const KEY_PREFIXES = Object.freeze({
  cursor: 'CURSOR#',
  backoff: 'BACKOFF#',
  /** Sync state with the lease, folder counts and webhook refreshes of one Page. */
  page: 'PAGE#',
  pacing: 'PACE#',
  conversation: 'CONV#',
  registry: 'PAGES',
  instagramAccount: 'IGACCOUNT#',
  secretLock: 'SECRETLOCK#',
  /** The changes feed of one Page (`GET /pages/{pageId}/changes`), kept `CHANGES_DAYS`. */
  changes: 'CHANGES#',
  /** The ids one reconciliation saw, a chunk per Graph listing (`reconcile-store.ts`). */
  reconcile: 'RECON#',
  /** When `POST /sync` last started a run: the API writes it, where it cannot touch the sync state. */
  syncRequest: 'SYNCREQ#',
  /**
   * A person's conversations on a Page, one ref each, under the keyed hash of their id
   * (`person-store.ts`): what an erasure reads, in proportion to the person's conversations.
   */
  person: 'PERSON#',
  /** That a person was erased from a Page, and when: the keyed hash and the time, never the id. */
  erasure: 'ERASED#',
  /** A data-deletion request of Meta's callback, by confirmation code: its status, never an id. */
  deletionRequest: 'DELETION#',
  /** The local runtime's person-hash key, kept with the data it hashes; in AWS a secret holds it. */
  personKey: 'PERSONKEY#',
});

/** The partition keys of the global indexes (`gsi1pk`, `gsi2pk`), named like `KEY_PREFIXES`. */
export const INDEX_KEY_PREFIXES = Object.freeze({
  /** gsi1: an indexed folder, `IDX#<pageId>#<platform>#<folder>`. */
  indexedFolder: 'IDX#',
  /** gsi1: the tombstones of a folder, `RMV#<pageId>#<platform>#<folder>`, apart from its live items. */
  removedFolder: 'RMV#',
  /** gsi2: the change events of a Page not yet delivered, `EVENTS#<pageId>`. */
  pendingEvents: 'EVENTS#',
});

/**
 * The sort keys that are words: a whole key (one item in its partition) or, ending in `#`, a prefix
 * followed by ids. An indexed conversation's sort key is its id, a registered Page's its padded id.
 */
export const SORT_KEYS = Object.freeze({
  cursor: 'CURSOR',
  backoff: 'BACKOFF',
  syncState: 'SYNC',
  /** The latest run's summary, beside the sync state: one Page's writes on one Page's partition. */
  syncSummary: 'SUMMARY',
  /** `COUNT#<platform>#<folder>` */
  folderCount: 'COUNT#',
  /** `REFRESH#<platform>#<person>` */
  refresh: 'REFRESH#',
  pacing: 'PACE',
  instagramAccount: 'PAGE',
  secretLock: 'LOCK',
  syncRequest: 'REQUEST',
  erasure: 'ERASED',
  /** When the scheduled run last swept the Page for conversations past `RETENTION_DAYS`. */
  retentionSweep: 'SWEEP',
  deletionRequest: 'DELETION',
  personKey: 'KEY',
});

/** Between the parts of a composite key: `CONV#<pageId>#<platform>`. The parts read back never hold one. */
export const KEY_SEPARATOR = '#';
