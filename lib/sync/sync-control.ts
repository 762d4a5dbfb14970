import { UnknownPageError } from '../domain/errors.js';
import type { SyncStatus } from '../domain/shapes/sync.js';
import { emptyPartition, type PageSyncState, partitionName } from '../domain/sync-state.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { PageRegistry } from '../store/page-registry.js';
import type { SyncStateStore } from '../store/sync-state-store.js';

/** Starts a sync of one page now: in process locally, through the fan-out queue in AWS. */
export interface SyncStarter {
  start(pageId: string): Promise<void>;
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

/** The Page's sync state, or `404 unknown_page` for a Page the registry does not hold (read now, not cached). */
async function registeredState(deps: SyncControlDependencies, pageId: string): Promise<PageSyncState> {
  const [record, state] = await Promise.all([deps.registry.get(pageId), deps.state.read(pageId)]);
  if (record === undefined) throw new UnknownPageError(pageId);
  return state;
}

/** The sync state of a page's configured partitions; `running` is read off the live lease. */
export async function readSyncStatus(deps: SyncControlDependencies, pageId: string): Promise<SyncStatus> {
  const state = await registeredState(deps, pageId);
  const running = leaseHeld(state, deps.now());
  const partitions: SyncStatus['partitions'] = [];
  for (const platform of deps.platforms) {
    for (const folder of deps.folders) {
      const partition = state.partitions[partitionName(platform, folder)] ?? emptyPartition(platform, folder);
      const failed = partition.lastRun?.outcome === 'failed';
      partitions.push({
        platform,
        folder,
        high_water_mark: partition.highWaterMark,
        status: running ? 'running' : failed ? 'failed' : 'idle',
        indexed_conversations: partition.indexedConversations,
        synced_at: partition.syncedAt,
        last_run: partition.lastRun,
      });
    }
  }
  return { page_id: pageId, partitions };
}

/**
 * `POST /pages/{pageId}/sync`: starts a run unless one holds the page's lease. The lease, not this
 * check, is what guarantees one run at a time: two racing requests may both start one, and the second
 * run finds the lease taken and does nothing.
 */
export async function requestSync(
  deps: SyncControlDependencies,
  pageId: string,
): Promise<{ page_id: string; status: 'started' | 'already_running' }> {
  const state = await registeredState(deps, pageId);
  if (leaseHeld(state, deps.now())) return { page_id: pageId, status: 'already_running' };
  await deps.starter.start(pageId);
  return { page_id: pageId, status: 'started' };
}
