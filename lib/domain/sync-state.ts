import type { RunRecord } from './shapes/sync.js';
import type { Folder, Platform } from './vocabulary.js';

/**
 * A run's outcomes and its record, stored as they are answered (`GET /pages/{pageId}/sync`), so they are
 * declared with the other HTTP shapes. `skipped_items` counts what Graph returned that could not be
 * indexed (no valid id or time, or too large); each is logged.
 */
export type { RunRecord } from './shapes/sync.js';
export { RUN_OUTCOMES, type RunOutcome } from './shapes/words.js';

/** Where an unfinished scan stands: saved after every Graph page, so a cut-short run resumes there. */
export interface ScanCheckpoint {
  /** Graph's `after` cursor of the next page to read; null before the first page. */
  cursor: string | null;
  /** The mark this scan stops at (the previous complete scan's newest time), and the ids seen at it. */
  stopAt: string | null;
  stopIds: string[];
  /** The newest time this scan met (its first conversation), and every id at that second so far. */
  topTime: string | null;
  topIds: string[];
  startedAt: string;
}

/** The sync state of one platform and folder of a page. */
export interface PartitionState {
  platform: Platform;
  folder: Folder;
  /** The newest `updated_time` a complete scan indexed: the next scan stops below it. */
  highWaterMark: string | null;
  /** Ids at the mark's own second that are indexed: Graph's one-second times make ties common. */
  markIds: string[];
  scan: ScanCheckpoint | null;
  indexedConversations: number;
  /** When the index of this partition was last brought up to date (the start of the scan that did). */
  syncedAt: string | null;
  /**
   * The start of the last complete reconciliation of this partition's platform, or of its first complete
   * backfill (which read the whole folder); null before either. Absent in states stored before 0.3.0.
   */
  reconciledAt?: string | null;
  lastRun: RunRecord | null;
}

/**
 * A reconciliation of one platform in progress (`lib/sync/reconcile.ts`): a listing of every covered
 * folder whose ids are kept in chunks under `scanId` (`ReconcileStore`); the last chunk is also where
 * the listing stands, so this changes only when a scan begins or ends.
 */
export interface ReconcileScan {
  scanId: string;
  /** When the listing began: an item written since then is never removed by this scan. */
  startedAt: string;
  /** The covered folders it lists, in order: a scan begun under another configuration starts again. */
  folders: Folder[];
}

export const partitionName = (platform: Platform, folder: Folder) => `${platform}#${folder}`;

export function emptyPartition(platform: Platform, folder: Folder): PartitionState {
  return {
    platform,
    folder,
    highWaterMark: null,
    markIds: [],
    scan: null,
    indexedConversations: 0,
    syncedAt: null,
    reconciledAt: null,
    lastRun: null,
  };
}

/** Reconciliations in progress, by platform. */
export type ReconcileScans = Partial<Record<Platform, ReconcileScan>>;

/** What a run saves with each checkpoint: its partitions and its reconciliations. */
export interface SyncProgress {
  partitions: Record<string, PartitionState>;
  reconciles: ReconcileScans;
}

/** The page's whole sync state, as stored in its one item. */
export interface PageSyncState extends SyncProgress {
  /**
   * Epoch ms of the latest `POST /sync?full=true` that found a run holding the Page: the next run
   * reconciles every platform not reconciled since (see `reconcileDue`).
   */
  reconcileRequestedAt: number | undefined;
  /**
   * Epoch ms of the latest `POST /sync` that started a run (read by `readRequested`, not by the run): the
   * Page shows `running` from the answer until a run records its end, before the run takes the lease.
   */
  runRequestedAt?: number | undefined;
  /** Set while a run holds the page's lease. */
  lease: { owner: string; until: number } | null;
}
