import * as v from 'valibot';
import {
  count,
  describedInstant,
  ErrorBodySchema,
  FolderSchema,
  GraphTimeSchema,
  instant,
  nullableWith,
  PlatformSchema,
} from './common.js';
import { RUN_OUTCOMES, SYNC_STATUSES } from './words.js';

/** The bodies of `GET` and `POST /pages/{pageId}/sync`: the sync of each configured platform and folder. */

export { RUN_OUTCOMES, type RunOutcome, SYNC_STATUSES, type SyncStatusWord } from './words.js';

/** One run's record, in the contract's words (stored as it is answered). */
export const RunRecordSchema = v.pipe(
  v.strictObject({
    started_at: describedInstant('When the run began.'),
    finished_at: describedInstant('When it ended.'),
    outcome: v.pipe(
      v.picklist(RUN_OUTCOMES),
      v.description(
        'complete; partial (stopped by its time or Graph-call budget, checkpointed, resumes next run); skipped (the page is throttled: error says until when); failed (error says why).',
      ),
    ),
    graph_calls: count(),
    conversations_changed: count(),
    skipped_items: v.pipe(
      count(),
      v.description('Items Graph returned without a valid id or updated_time: neither indexed nor returned.'),
    ),
    moved: v.pipe(
      count(),
      v.description('Conversations moved into this folder from another covered folder of the platform.'),
    ),
    removed: v.pipe(
      count(),
      v.description(
        'Conversations of this folder a reconciliation found listed in no covered folder: now tombstones.',
      ),
    ),
    error: v.nullable(ErrorBodySchema),
  }),
  v.description("One run's record for a platform and folder."),
);
export type RunRecord = v.InferOutput<typeof RunRecordSchema>;

export const SyncPartitionSchema = v.pipe(
  v.strictObject({
    platform: PlatformSchema,
    folder: FolderSchema,
    high_water_mark: nullableWith(
      GraphTimeSchema,
      'The newest updated_time a complete scan indexed; the next scan stops there. Null before the first.',
    ),
    status: v.pipe(
      v.picklist(SYNC_STATUSES),
      v.description('running while a run holds the page, else failed if the last run failed, else idle.'),
    ),
    indexed_conversations: count(),
    synced_at: nullableWith(
      instant(),
      'When the index of this partition was last brought up to date (the start of that scan).',
    ),
    reconciled_at: nullableWith(
      instant(),
      "The start of the last complete reconciliation of this platform (or of the partition's first complete backfill). Null before either.",
    ),
    last_run: v.nullable(RunRecordSchema),
  }),
  v.description('The sync of one platform and folder of a page.'),
);
export type SyncPartition = v.InferOutput<typeof SyncPartitionSchema>;

/** `GET /pages/{pageId}/sync`. */
export const SyncStatusSchema = v.pipe(
  v.strictObject({ page_id: v.string(), partitions: v.array(SyncPartitionSchema) }),
  v.description('The sync of a page, one partition per configured platform and folder.'),
);
export type SyncStatus = v.InferOutput<typeof SyncStatusSchema>;

/** `POST /pages/{pageId}/sync`. */
export const SyncStartedSchema = v.strictObject({
  page_id: v.string(),
  status: v.pipe(
    v.picklist(['started', 'already_running']),
    v.description('already_running while a run holds the page: a run is never started twice.'),
  ),
});
export type SyncStarted = v.InferOutput<typeof SyncStartedSchema>;
