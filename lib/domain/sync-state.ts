import type { ErrorBody } from '../domain/error-body.js';
import type { Folder, Platform } from './vocabulary.js';

export const RUN_OUTCOMES = ['complete', 'partial', 'skipped', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** One run's record, in the contract's words. */
export interface RunRecord {
  started_at: string;
  finished_at: string;
  outcome: RunOutcome;
  graph_calls: number;
  conversations_changed: number;
  /** Items Graph returned that could not be indexed (no valid id or time, or too large); logged one by one. */
  skipped_items: number;
  error: ErrorBody | null;
}

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
