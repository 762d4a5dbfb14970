import { randomUUID } from 'node:crypto';
import { describeError, isProductError } from '../domain/error-body.js';
import { PageTokenInvalidError } from '../domain/errors.js';
import { emptyPartition, partitionName, type RunOutcome, type RunRecord } from '../domain/sync-state.js';
import { SYNC_RUN_FAILED_MESSAGE } from '../telemetry/log-messages.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS } from '../telemetry/product-metrics.js';
import { LeaseKeeper } from './lease-keeper.js';
import { recordSyncSummary, refreshPageProfile, syncSummary } from './page-record.js';
import { recountPartitions } from './partition-recount.js';
import { type ScanProgress, syncPartition } from './partition-scan.js';
import { reconcileIfDue } from './reconcile.js';
import {
  CheckpointFailedError,
  DEFAULT_LEASE_MS,
  type RunContext,
  ScanStoppedError,
  type SyncDependencies,
  type SyncRunOptions,
} from './run-context.js';

export { recountPartitions } from './partition-recount.js';
export type { SyncDependencies, SyncRunOptions } from './run-context.js';

export interface PageRunResult {
  pageId: string;
  /** `busy` when another run holds the page's lease: nothing was done. */
  outcome: RunOutcome | 'busy';
  graphCalls: number;
  conversationsChanged: number;
  partitions: Record<string, RunRecord>;
}

const OUTCOME_RANK: Record<RunOutcome, number> = { complete: 0, partial: 1, skipped: 2, failed: 3 };

/**
 * One sync run of one page: every configured platform and folder, newest first, down to the previous
 * run's high-water mark, checkpointing after every Graph page.
 *
 * Invariants (each write point is a place a run may die):
 * 1. A conversation is written to the index before any checkpoint that moves the cursor past it. A run
 *    that dies in between replays that Graph page; index writes are idempotent and count only real
 *    changes, so nothing is lost and nothing is counted twice.
 * 2. The high-water mark moves only when a scan completes, in the same write that clears the scan.
 *    Until then the stop point stays where it was, so a resumed or restarted scan still reaches it.
 * 3. Conversations at the mark's own second are compared by id with those already indexed there, so
 *    ties in Graph's one-second times are neither skipped nor rewritten.
 * 4. Every state write is conditional on holding the page's lease: two runs never both write.
 * 5. Folder counters move after the index writes they count (no transactions): a run that dies in
 *    between, or whose index write fails, leaves them short, and a replay counts nothing. So a run that
 *    finds the lease still set (the run before never released it) counts every configured folder again
 *    from the index before it starts, and a run whose index write failed counts that platform's folders.
 * 6. A reconciliation (`reconcile.ts`) follows the incremental pass of a platform whose folders all
 *    completed. It writes its listings as the scan does (idempotent, invariant 1), keeps its progress in
 *    chunks written after those writes, and removes nothing until every covered folder was listed whole.
 */
export async function syncPage(
  deps: SyncDependencies,
  pageId: string,
  options: SyncRunOptions = {},
): Promise<PageRunResult> {
  const owner = randomUUID();
  const metrics = deps.metrics ?? NO_METRICS;
  // The Page rides in the metric lines as a property, never as a dimension (a metric per Page).
  metrics.addMetadata('page_id', pageId);
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const state = await deps.state.acquire(pageId, owner, deps.now().getTime(), leaseMs);
  if (state === undefined) {
    // The run holding the Page may not reconcile: the next one will, whenever it starts.
    if (options.full === true) await deps.state.requestReconciliation(pageId, deps.now().getTime());
    metrics.count(METRIC_NAMES.syncRuns, 1, { Outcome: 'busy' });
    return { pageId, outcome: 'busy', graphCalls: 0, conversationsChanged: 0, partitions: {} };
  }
  const lease = new LeaseKeeper(deps.state, pageId, owner, leaseMs, deps.now, deps.heartbeat);
  lease.start();
  await emitLeftoverEvents(deps, pageId);
  try {
    const run = {
      pageId,
      owner,
      lease,
      partitions: state.partitions,
      reconciles: state.reconciles,
      reconcileRequestedAt: state.reconcileRequestedAt,
      options,
    };
    return await runPartitions(deps, run, state.interrupted);
  } catch (error: unknown) {
    // Our own fault (DynamoDB, a lost lease): nothing recorded, the queue delivers the page again.
    metrics.count(METRIC_NAMES.syncRuns, 1, { Outcome: 'crashed' });
    throw error;
  } finally {
    lease.stop();
  }
}

async function runPartitions(
  deps: SyncDependencies,
  run: Pick<
    RunContext,
    'pageId' | 'owner' | 'lease' | 'partitions' | 'reconciles' | 'reconcileRequestedAt' | 'options'
  >,
  interrupted: boolean,
): Promise<PageRunResult> {
  const { pageId, owner } = run;
  const context: RunContext = {
    deps,
    ...run,
    credentials: undefined,
    calls: 0,
  };
  // The run before died holding the lease, maybe between index writes and their counters (invariant 5).
  if (interrupted) await recountPartitions(context, deps.platforms);
  const records: Record<string, RunRecord> = {};
  // Set once a partition stops for a reason that concerns the whole page (a throttle, a bad token):
  // the later partitions would fail alike, so they are recorded with the same outcome, uncalled.
  let pageStop: ScanStoppedError | undefined;
  // Folder by folder, alternating platforms: Messenger and Instagram are paced as separate accounts,
  // so one platform's call never waits on the other's, and a quiet page takes half the time.
  for (const folder of deps.folders) {
    for (const platform of deps.platforms) {
      const name = partitionName(platform, folder);
      const partition = context.partitions[name] ?? emptyPartition(platform, folder);
      context.partitions[name] = partition;
      const startedAt = deps.now().toISOString();
      const callsBefore = context.calls;
      let outcome: RunOutcome = 'complete';
      const progress: ScanProgress = { changed: 0, moved: 0, skipped: 0, countsUncertain: false };
      let error: unknown = null;
      if (pageStop !== undefined) {
        ({ outcome } = pageStop);
        error = pageStop.reason;
      } else {
        try {
          await syncPartition(context, partition, progress);
        } catch (caught: unknown) {
          if (caught instanceof CheckpointFailedError) throw caught.cause;
          const stop = caught instanceof ScanStoppedError ? caught : new ScanStoppedError('failed', caught);
          ({ outcome } = stop);
          error = stop.reason;
          if (stop.outcome === 'skipped' || stop.reason instanceof PageTokenInvalidError) pageStop = stop;
        }
      }
      const changed = progress.changed;
      // A failed index write may have moved this platform's other folders too (conversations moved out).
      if (progress.countsUncertain) await recountPartitions(context, [platform]);
      else if (changed > 0)
        partition.indexedConversations = await deps.index.count({ pageId, platform, folder });
      const record: RunRecord = {
        started_at: startedAt,
        finished_at: deps.now().toISOString(),
        outcome,
        graph_calls: context.calls - callsBefore,
        conversations_changed: changed,
        skipped_items: progress.skipped,
        moved: progress.moved,
        removed: 0,
        error: error === null || error === undefined ? null : describeError(error, deps.now()),
      };
      if (outcome === 'failed' && !isProductError(error)) {
        // A bug or an outage of our own: the record says only "internal_error", the log says more.
        deps.logger.error('sync partition error', { page_id: pageId, partition: name, error });
      }
      partition.lastRun = record;
      records[name] = record;
    }
  }
  // Then each platform whose folders all completed is reconciled, when due (see `reconcile.ts`).
  for (const platform of deps.platforms) {
    if (pageStop !== undefined) break;
    const names = deps.folders.map((folder) => partitionName(platform, folder));
    if (!names.every((name) => records[name]?.outcome === 'complete')) continue;
    const stop = await reconcileIfDue(context, platform, records);
    if (stop !== undefined && (stop.outcome === 'skipped' || stop.reason instanceof PageTokenInvalidError))
      pageStop = stop;
  }
  // Conversations past the retention leave the index, once a day, under this run's lease (no Graph call).
  if (deps.sweep !== undefined) await sweepExpired(deps, pageId);
  // A throttled page or a dead token is not called again for its profile either.
  if (pageStop === undefined) await refreshPageProfile(context);
  await deps.state.release(pageId, owner, {
    partitions: context.partitions,
    reconciles: context.reconciles,
  });
  const outcome = worstOutcome(Object.values(records));
  const configured = Object.keys(records).flatMap((name) => context.partitions[name] ?? []);
  await recordSyncSummary(context, syncSummary(outcome, configured));
  const result: PageRunResult = {
    pageId,
    outcome,
    graphCalls: context.calls,
    conversationsChanged: Object.values(records).reduce(
      (sum, record) => sum + record.conversations_changed,
      0,
    ),
    partitions: records,
  };
  const metrics = deps.metrics ?? NO_METRICS;
  metrics.count(METRIC_NAMES.syncRuns, 1, { Outcome: result.outcome });
  metrics.count(METRIC_NAMES.conversationsChanged, result.conversationsChanged);
  metrics.count(
    METRIC_NAMES.skippedItems,
    Object.values(records).reduce((sum, record) => sum + record.skipped_items, 0),
  );
  if (result.outcome === 'failed')
    deps.logger.error(SYNC_RUN_FAILED_MESSAGE, { page_id: pageId, partitions: records });
  else
    deps.logger.info('sync run', {
      page_id: pageId,
      outcome: result.outcome,
      graph_calls: result.graphCalls,
      conversations_changed: result.conversationsChanged,
    });
  return result;
}

/**
 * Change events a run or refresh of this page wrote to the index but did not get to send (it died in
 * between) go out first: at least once, with the event_id they were written with.
 */
async function emitLeftoverEvents(deps: SyncDependencies, pageId: string): Promise<void> {
  try {
    const sent = await deps.index.emitPendingEvents(pageId);
    if (sent > 0) deps.logger.info('sync sent change events left pending', { page_id: pageId, events: sent });
  } catch (error: unknown) {
    // They stay pending and go out with the next run; the conversations matter more now.
    deps.logger.warn('sync could not send pending change events', { page_id: pageId, error });
  }
}

/** A sweep that fails leaves the conversations to the next run's; the run itself stands. */
async function sweepExpired(deps: SyncDependencies, pageId: string): Promise<void> {
  try {
    await deps.sweep?.(pageId);
  } catch (error: unknown) {
    deps.logger.warn('retention sweep failed; the next run tries again', { page_id: pageId, error });
  }
}

function worstOutcome(records: RunRecord[]): RunOutcome {
  return records.reduce<RunOutcome>(
    (worst, record) => (OUTCOME_RANK[record.outcome] > OUTCOME_RANK[worst] ? record.outcome : worst),
    'complete',
  );
}
