import { UnknownPageError } from '../domain/errors.js';
import type { SyncStatus } from '../domain/shapes/sync.js';
import { emptyPartition, type PageSyncState, partitionName, type RunRecord } from '../domain/sync-state.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { PageRegistry } from '../store/page-registry.js';
import { RUN_REQUEST_SHOWN_MS, type SyncStateStore } from '../store/sync-state-store.js';

/** How a run is asked for: `full` (`POST /sync?full=true`) reconciles every platform in it. */
export interface SyncStartOptions {
  full?: boolean;
}

/** Starts a sync of one page now: in process locally, through the fan-out queue in AWS. */
export interface SyncStarter {
  start(pageId: string, options?: SyncStartOptions): Promise<void>;
}

export interface SyncControlDependencies {
  state: SyncStateStore;
  /**
   * Which Pages exist. Never the token source: reading a token to learn that a Page exists costs a
   * Secrets Manager call and fails for a dead token, and an operator must still read and start the sync
   * of such a Page (its run records the token's state without calling Graph).
   */
  registry: Pick<PageRegistry, 'get'>;
  starter: SyncStarter;
  platforms: readonly Platform[];
  folders: readonly Folder[];
  now: () => Date;
}

/** The sync state of a Page, in the contract's words (declared with the HTTP shapes). */
export type { SyncStatus } from '../domain/shapes/sync.js';

const leaseHeld = (state: PageSyncState, now: Date) =>
  state.lease !== null && state.lease.until > now.getTime();

/**
 * Whether the Page shows `running`: a run holds its lease, or `POST /sync` started one that has not
 * recorded its end yet (it may still wait in the queue). A request older than `RUN_REQUEST_SHOWN_MS`
 * no longer counts: its run was lost, and the schedule's next run is the one to wait for.
 */
function running(state: PageSyncState, now: Date): boolean {
  if (leaseHeld(state, now)) return true;
  const requestedAt = state.runRequestedAt;
  if (requestedAt === undefined || now.getTime() - requestedAt >= RUN_REQUEST_SHOWN_MS) return false;
  const ends = Object.values(state.partitions).map((partition) =>
    Date.parse(partition.lastRun?.finished_at ?? ''),
  );
  const lastEnd = Math.max(0, ...ends.filter((end) => !Number.isNaN(end)));
  return requestedAt > lastEnd;
}

/** The Page's sync state, or `404 unknown_page` for a Page the registry does not hold (read now, not cached). */
async function registeredState(deps: SyncControlDependencies, pageId: string): Promise<PageSyncState> {
  const [record, state] = await Promise.all([
    deps.registry.get(pageId),
    deps.state.readWithRequest(pageId, deps.now()),
  ]);
  if (record === undefined) throw new UnknownPageError(pageId);
  return state;
}

/** A record stored before 0.3.0 lacks the reconciliation's counts: none were made. */
const recordOf = (record: RunRecord | null): RunRecord | null =>
  record === null ? null : { ...record, moved: record.moved ?? 0, removed: record.removed ?? 0 };

/** The sync state of a page's configured partitions; `running` is read off the live lease and the last request. */
export async function readSyncStatus(deps: SyncControlDependencies, pageId: string): Promise<SyncStatus> {
  const state = await registeredState(deps, pageId);
  const isRunning = running(state, deps.now());
  const partitions: SyncStatus['partitions'] = [];
  for (const platform of deps.platforms) {
    for (const folder of deps.folders) {
      const partition = state.partitions[partitionName(platform, folder)] ?? emptyPartition(platform, folder);
      const failed = partition.lastRun?.outcome === 'failed';
      partitions.push({
        platform,
        folder,
        high_water_mark: partition.highWaterMark,
        status: isRunning ? 'running' : failed ? 'failed' : 'idle',
        indexed_conversations: partition.indexedConversations,
        synced_at: partition.syncedAt,
        reconciled_at: partition.reconciledAt ?? null,
        last_run: recordOf(partition.lastRun),
      });
    }
  }
  return { page_id: pageId, partitions };
}

/**
 * `POST /pages/{pageId}/sync`: starts a run unless one holds the page's lease. The lease, not this
 * check, is what guarantees one run at a time: two racing requests may both start one, and the second
 * run finds the lease taken and does nothing (with `full`, it asks the next run to reconcile). The
 * request is recorded first, so the Page shows `running` from this answer on.
 */
export async function requestSync(
  deps: SyncControlDependencies,
  pageId: string,
  options: SyncStartOptions = {},
): Promise<{ page_id: string; status: 'started' | 'already_running' }> {
  const state = await registeredState(deps, pageId);
  if (leaseHeld(state, deps.now())) {
    // The run holding the Page may be past its reconciliation: a second run, started anyway, either
    // reconciles once the Page is free or, finding it busy, leaves the request for the next run.
    if (options.full === true) await deps.starter.start(pageId, { full: true });
    return { page_id: pageId, status: 'already_running' };
  }
  await deps.state.recordRunRequest(pageId, deps.now());
  await deps.starter.start(pageId, options.full === true ? { full: true } : {});
  return { page_id: pageId, status: 'started' };
}
