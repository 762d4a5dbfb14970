import { MAX_CONVERSATION_ID_LENGTH } from '../domain/conversation.js';
import { graphSeconds } from '../domain/graph-time.js';
import type { PartitionState, ReconcileScan } from '../domain/sync-state.js';
import type { Folder } from '../domain/vocabulary.js';
import type { IndexedState } from '../store/index-state.js';

export type { IndexedState } from '../store/index-state.js';

/**
 * The pure rules of a reconciliation (`reconcile.ts`), apart from its I/O so that tests state them as
 * tables: when a platform is due, which listed conversations the index must be written, which ids a
 * listing saw, and which indexed ids a complete scan may remove.
 */

/** `RECONCILE_EVERY_HOURS` when not set. */
export const DEFAULT_RECONCILE_EVERY_HOURS = 24;
/** How long a scan's chunks of seen ids are kept (DynamoDB TTL): a few days, read once at the scan's end. */
export const RECONCILE_CHUNK_DAYS = 4;
/**
 * A scan older than this starts again rather than finish: its first chunks would expire before its last
 * were compared. At 2 calls a second it is over 200,000 listings: only a run budget far too small for
 * the Page gets here, and the warning says so.
 */
export const MAX_SCAN_AGE_MS = (RECONCILE_CHUNK_DAYS - 1) * 24 * 60 * 60 * 1000;

export interface ReconcileDueInput {
  /** The platform's covered partitions, after this run's incremental pass. */
  partitions: ReadonlyArray<Pick<PartitionState, 'reconciledAt'>>;
  /** `RECONCILE_EVERY_HOURS`; 0 turns the scheduled reconciliation off. */
  everyHours: number;
  /** `POST /sync?full=true` started this run. */
  forced: boolean;
  /** A `full=true` request that found the Page busy, epoch ms (`PageSyncState.reconcileRequestedAt`). */
  requestedAt: number | undefined;
  now: Date;
}

/**
 * Whether a platform's reconciliation starts in this run: asked for (`full=true`, now or while the Page
 * was busy and not served since), or the least recently reconciled partition is `everyHours` old. A
 * partition never reconciled (stored before 0.3.0) makes the platform due at once.
 */
export function reconcileDue(input: ReconcileDueInput): boolean {
  if (input.forced) return true;
  const times = input.partitions.map((partition) => partition.reconciledAt ?? null);
  const oldest = times.includes(null) ? undefined : Math.min(...times.map((time) => Date.parse(time ?? '')));
  if (input.requestedAt !== undefined && (oldest === undefined || input.requestedAt > oldest)) return true;
  if (input.everyHours === 0) return false;
  return oldest === undefined || input.now.getTime() - oldest >= input.everyHours * 60 * 60 * 1000;
}

/** Whether a scan in progress must start again: begun too long ago, or over other folders than covered now. */
export function scanStale(scan: ReconcileScan, folders: readonly Folder[], now: Date): boolean {
  const sameFolders =
    scan.folders.length === folders.length && scan.folders.every((f, i) => f === folders[i]);
  return !sameFolders || now.getTime() - Date.parse(scan.startedAt) > MAX_SCAN_AGE_MS;
}

/**
 * The conversations of one listing of `folder` that the index must be written: new to it, removed from
 * it (a tombstone comes back), held in another folder (moved), or newer than it holds. What it holds at
 * the same second in the same folder is left alone, as the incremental sync leaves it: one write per
 * change, none per conversation listed.
 */
export function listingWrites<T extends { id: string; updated_time: string }>(
  listed: readonly T[],
  known: ReadonlyMap<string, IndexedState>,
  folder: Folder,
): T[] {
  return listed.filter((conversation) => {
    const held = known.get(conversation.id);
    if (held === undefined || held.removed || held.folder !== folder) return true;
    return graphSeconds(conversation.updated_time) > graphSeconds(held.updatedTime);
  });
}

/**
 * Every id a listing showed, valid or not: an item the sync skips (too large, a bad time) is still
 * listed, so the conversation it stands for must not be removed for it. Ids out of bounds never were
 * indexed and are left out.
 */
export function listedIds(items: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length >= 1 && id.length <= MAX_CONVERSATION_ID_LENGTH) ids.push(id);
  }
  return ids;
}

/**
 * Whether a live indexed conversation that a complete scan did not see is removed: only if its item was
 * last written before the scan began. One written since was written from Graph after the scan started
 * (the sync, a webhook, a move): Graph may have reordered it past the listing, so it is not evidence.
 */
export function removable(
  live: { id: string; writtenAt: number },
  seen: ReadonlySet<string>,
  scanStartedAt: number,
): boolean {
  return !seen.has(live.id) && live.writtenAt < scanStartedAt;
}
