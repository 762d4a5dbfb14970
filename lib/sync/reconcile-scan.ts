import { randomUUID } from 'node:crypto';
import { partitionName, type ReconcileScan } from '../domain/sync-state.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { GraphConversation, GraphListPage } from '../graph/graph-client.js';
import type { ReconcileStore } from '../store/reconcile-store.js';
import { recountPartitions } from './partition-recount.js';
import {
  checkpoint,
  cursorRefused,
  fetchPage,
  nextCursorOf,
  type ScanProgress,
  stopFor,
  stopIfOverBudget,
  syncPartition,
} from './partition-scan.js';
import {
  DEFAULT_RECONCILE_EVERY_HOURS,
  listedIds,
  listingWrites,
  RECONCILE_CHUNK_DAYS,
  reconcileDue,
  removable,
  scanStale,
} from './reconcile-rules.js';
import { CheckpointFailedError, type RunContext, ScanStoppedError } from './run-context.js';
import { screenItems } from './scan-rules.js';

/**
 * The scan of a reconciliation (`reconcile.ts` has the overview): the listing of every covered folder of
 * a platform, resumed from its last chunk, and the comparison once every folder was listed whole.
 */

/** What a reconciliation did in one folder during this run: added to that partition's run record. */
export interface FolderTally {
  graphCalls: number;
  /** Index writes into this folder (created, updated, moved in). */
  changed: number;
  moved: number;
  removed: number;
  skipped: number;
}

export interface ReconcileProgress {
  /** The folder being listed or caught up when the reconciliation stopped. */
  folder: Folder | undefined;
  tallies: Map<Folder, FolderTally>;
  /** An index write failed: the platform's counters may be short of what landed before it failed. */
  countsUncertain: boolean;
}

/** The index writes one tombstone call makes at most (each is its own conditional UpdateItem). */
const REMOVAL_BATCH = 100;

const tallyOf = (progress: ReconcileProgress, folder: Folder): FolderTally => {
  let tally = progress.tallies.get(folder);
  if (tally === undefined) {
    tally = { graphCalls: 0, changed: 0, moved: 0, removed: 0, skipped: 0 };
    progress.tallies.set(folder, tally);
  }
  return tally;
};

/** Lists, resumes or completes the platform's reconciliation when one is due or in progress. */
export async function reconcilePlatform(
  context: RunContext,
  platform: Platform,
  progress: ReconcileProgress,
): Promise<void> {
  const { deps } = context;
  const store = deps.reconciliations;
  if (store === undefined) return;
  const scan = await currentScan(context, platform);
  if (scan === undefined) return;
  const target = { pageId: context.pageId, platform, scanId: scan.scanId };
  const last = await store.last(target, deps.now());
  let seq = last?.seq ?? 0;
  if (last !== undefined && !scan.folders.includes(last.folder)) {
    // Not a chunk this scan could have written: it cannot say where the listing stands.
    delete context.reconciles[platform];
    throw new ScanStoppedError(
      'failed',
      new Error('A reconciliation chunk names a folder its scan does not list.'),
    );
  }
  let folderAt =
    last === undefined ? 0 : scan.folders.indexOf(last.folder) + (last.nextCursor === null ? 1 : 0);
  let cursor = last?.nextCursor ?? null;
  let listings = 0;
  const expiresAt = new Date(Date.parse(scan.startedAt) + RECONCILE_CHUNK_DAYS * 24 * 60 * 60 * 1000);
  for (let folder = scan.folders[folderAt]; folder !== undefined; folder = scan.folders[folderAt]) {
    progress.folder = folder;
    const tally = tallyOf(progress, folder);
    stopIfOverBudget(context);
    let page: GraphListPage<GraphConversation>;
    const callsBefore = context.calls;
    try {
      page = await fetchPage(context, { platform, folder }, cursor);
    } catch (error: unknown) {
      tally.graphCalls += context.calls - callsBefore;
      if (error instanceof CheckpointFailedError) throw error;
      // The conversation under the cursor moved or went away: list the folder again from its top.
      if (cursorRefused(error, cursor)) {
        cursor = null;
        continue;
      }
      throw stopFor(error);
    }
    tally.graphCalls += context.calls - callsBefore;
    listings += 1;
    await applyListing(context, platform, folder, page, progress);
    const next = nextCursorOf(page);
    seq += 1;
    const chunk = { seq, folder, nextCursor: next, ids: listedIds(page.data) };
    if (!(await store.put(target, chunk, expiresAt))) {
      throw new CheckpointFailedError('Another run wrote this reconciliation: the lease was lost.');
    }
    if (next === null) folderAt += 1;
    cursor = next;
  }
  // Graph reorders a folder while a paced listing runs: a conversation that changed during this run's
  // listing may have moved above its cursor unseen. The incremental pass again (one call per folder
  // when quiet) writes each such one, and a write since the scan began keeps it from removal.
  if (listings > 0) await catchUp(context, platform, progress);
  progress.folder = undefined;
  await completeScan(context, platform, scan, store, progress);
}

/** The platform's scan in progress, a new one when due, or undefined when there is nothing to do. */
async function currentScan(context: RunContext, platform: Platform): Promise<ReconcileScan | undefined> {
  const { deps } = context;
  const now = deps.now();
  const running = context.reconciles[platform];
  if (running !== undefined && !scanStale(running, deps.folders, now)) return running;
  if (running !== undefined) {
    deps.logger.warn(
      'sync reconciliation started again: its scan began too long ago or covered other folders',
      {
        page_id: context.pageId,
        platform,
        started_at: running.startedAt,
      },
    );
  }
  const partitions = deps.folders.map((folder) => context.partitions[partitionName(platform, folder)] ?? {});
  const due = reconcileDue({
    partitions,
    everyHours: deps.reconcileEveryHours ?? DEFAULT_RECONCILE_EVERY_HOURS,
    forced: context.options.full === true,
    requestedAt: context.reconcileRequestedAt,
    now,
  });
  if (!due) {
    delete context.reconciles[platform];
    return undefined;
  }
  const scan: ReconcileScan = {
    scanId: randomUUID(),
    startedAt: now.toISOString(),
    folders: [...deps.folders],
  };
  context.reconciles[platform] = scan;
  // Saved before any chunk names it: a run that dies now leaves chunks of no scan, which expire.
  await checkpoint(context);
  return scan;
}

/** Writes what one listing shows that the index lacks or holds otherwise, one write per change. */
async function applyListing(
  context: RunContext,
  platform: Platform,
  folder: Folder,
  page: GraphListPage<GraphConversation>,
  progress: ReconcileProgress,
): Promise<void> {
  const { deps, pageId } = context;
  const tally = tallyOf(progress, folder);
  const { valid, skipped } = screenItems(page.data);
  tally.skipped += skipped.length;
  if (valid.length === 0) return;
  const known = await deps.index.readState(
    pageId,
    platform,
    valid.map((conversation) => conversation.id),
  );
  const writes = listingWrites(valid, known, folder);
  if (writes.length === 0) return;
  try {
    for (const change of await deps.index.write({ pageId, platform, folder }, writes)) {
      tally.changed += 1;
      if (change.kind === 'moved') tally.moved += 1;
    }
  } catch (error: unknown) {
    progress.countsUncertain = true;
    throw new ScanStoppedError('failed', error);
  }
}

/** The incremental pass of each covered folder again, its calls and changes tallied to the folder. */
async function catchUp(context: RunContext, platform: Platform, progress: ReconcileProgress): Promise<void> {
  for (const folder of context.deps.folders) {
    const partition = context.partitions[partitionName(platform, folder)];
    if (partition === undefined) continue;
    progress.folder = folder;
    const tally = tallyOf(progress, folder);
    const scanned: ScanProgress = { changed: 0, moved: 0, skipped: 0, countsUncertain: false };
    const callsBefore = context.calls;
    try {
      await syncPartition(context, partition, scanned);
    } finally {
      tally.graphCalls += context.calls - callsBefore;
      tally.changed += scanned.changed;
      tally.moved += scanned.moved;
      tally.skipped += scanned.skipped;
      if (scanned.countsUncertain) progress.countsUncertain = true;
    }
  }
}

/**
 * The end of a scan that listed every covered folder whole: the live ids no chunk saw become tombstones,
 * unless written since the scan began (the condition on the revision read makes the removal itself
 * race-free); then the folders are recounted and the scan is done. Run again after a crash, it finds
 * the same chunks, removes what is still to remove, and counts again.
 */
async function completeScan(
  context: RunContext,
  platform: Platform,
  scan: ReconcileScan,
  store: ReconcileStore,
  progress: ReconcileProgress,
): Promise<void> {
  const { deps, pageId } = context;
  const target = { pageId, platform, scanId: scan.scanId };
  const seen = await store.seenIds(target, deps.now());
  if (seen === undefined) {
    // A chunk expired or is missing: this scan cannot tell what is gone, so the next run starts another.
    deps.logger.warn('sync reconciliation incomplete: its seen ids are not all kept; starting again', {
      page_id: pageId,
      platform,
    });
    delete context.reconciles[platform];
    return;
  }
  const startedAt = Date.parse(scan.startedAt);
  for (const folder of scan.folders) {
    const tally = tallyOf(progress, folder);
    let batch: Array<{ id: string; revision: number }> = [];
    const remove = async () => {
      if (batch.length === 0) return;
      try {
        tally.removed += (await deps.index.tombstone({ pageId, platform }, batch, 'not_listed')).length;
      } catch (error: unknown) {
        progress.countsUncertain = true;
        throw new ScanStoppedError('failed', error);
      }
      batch = [];
    };
    for await (const live of deps.index.liveIds({ pageId, platform, folder })) {
      if (!removable(live, seen, startedAt)) continue;
      batch.push({ id: live.id, revision: live.revision });
      if (batch.length === REMOVAL_BATCH) await remove();
    }
    await remove();
  }
  await recountPartitions(context, [platform]);
  for (const folder of deps.folders) {
    const partition = context.partitions[partitionName(platform, folder)];
    if (partition !== undefined) partition.reconciledAt = scan.startedAt;
  }
  delete context.reconciles[platform];
  const tallies = [...progress.tallies.values()];
  deps.logger.info('sync reconciled', {
    page_id: pageId,
    platform,
    removed: tallies.reduce((sum, tally) => sum + tally.removed, 0),
    moved: tallies.reduce((sum, tally) => sum + tally.moved, 0),
    changed: tallies.reduce((sum, tally) => sum + tally.changed, 0),
  });
}
