import type { RunRecord } from './shapes/sync.js';
import type { Folder, Platform } from './vocabulary.js';

/**
 * A run's outcomes and its record, stored as they are answered (`GET /pages/{pageId}/sync`), so they are
 * declared with the other HTTP shapes. `skipped_items` counts what Graph returned that could not be
 * indexed (no valid id or time, or too large); each is logged.
 */
export { RUN_OUTCOMES, type RunOutcome, type RunRecord } from './shapes/sync.js';

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
  lastRun: RunRecord | null;
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
    lastRun: null,
  };
}

/** The page's whole sync state, as stored in its one item. */
export interface PageSyncState {
  partitions: Record<string, PartitionState>;
  /** Set while a run holds the page's lease. */
  lease: { owner: string; until: number } | null;
}
