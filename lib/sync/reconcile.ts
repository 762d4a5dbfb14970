import { describeError, isProductError } from '../domain/error-body.js';
import { partitionName, type RunOutcome, type RunRecord } from '../domain/sync-state.js';
import type { Platform } from '../domain/vocabulary.js';
import { recountPartitions } from './partition-recount.js';
import { type ReconcileProgress, reconcilePlatform } from './reconcile-scan.js';
import { CheckpointFailedError, type RunContext, ScanStoppedError } from './run-context.js';

/**
 * Reconciliation: what the incremental sync cannot see (Graph reports neither deletions nor folder
 * moves), found by listing every covered folder of a platform whole and comparing the ids with the
 * index's. It runs after the run's incremental pass, when due, at the same pacing and under the same
 * budget, and resumes like a backfill. Per Graph listing (100 conversations): one BatchGetItem of what
 * the index holds of them, one index write per conversation that is new, newer or in another folder
 * (moved at once, as the incremental sync moves one), and one chunk of the ids seen, which is also the
 * checkpoint. Once every folder was listed whole in the same scan: the live ids no chunk saw, and whose
 * items were last written before the scan began, become tombstones (`not_listed`); the folders are
 * recounted and `reconciledAt` set. A scan cut short (budget, time, a Graph failure) removes nothing.
 *
 * What one scan cannot tell: a conversation moved without new activity from a folder not yet listed
 * into one already listed while the scan runs is listed in neither, so it is removed; its next activity,
 * or the next reconciliation, indexes it again (one `Conversation Changed`). Telling it apart would take
 * a Graph call per unseen conversation and folder.
 */

/**
 * Reconciles one platform of the page when it is due or a scan is in progress, and adds what it did to
 * the run's records. Returns how it stopped early, if it did (also recorded on the folder it was in);
 * throws only what must end the run (`CheckpointFailedError`, a failed recount).
 */
export async function reconcileIfDue(
  context: RunContext,
  platform: Platform,
  records: Record<string, RunRecord>,
): Promise<ScanStoppedError | undefined> {
  const progress: ReconcileProgress = { folder: undefined, tallies: new Map(), countsUncertain: false };
  let stop: ScanStoppedError | undefined;
  try {
    await reconcilePlatform(context, platform, progress);
  } catch (caught: unknown) {
    if (caught instanceof CheckpointFailedError) throw caught;
    stop = caught instanceof ScanStoppedError ? caught : new ScanStoppedError('failed', caught);
  }
  if (progress.countsUncertain) await recountPartitions(context, [platform]);
  const { deps, pageId } = context;
  const finishedAt = deps.now().toISOString();
  for (const [folder, tally] of progress.tallies) {
    const record = records[partitionName(platform, folder)];
    if (record === undefined) continue;
    record.graph_calls += tally.graphCalls;
    record.conversations_changed += tally.changed;
    record.skipped_items += tally.skipped;
    record.moved = (record.moved ?? 0) + tally.moved;
    record.removed = (record.removed ?? 0) + tally.removed;
    record.finished_at = finishedAt;
  }
  const stoppedIn = records[partitionName(platform, progress.folder ?? deps.folders[0] ?? 'inbox')];
  if (stop !== undefined && stoppedIn !== undefined) {
    stoppedIn.outcome = worse(stoppedIn.outcome, stop.outcome);
    stoppedIn.error = describeError(stop.reason, deps.now());
    stoppedIn.finished_at = finishedAt;
    if (stop.outcome === 'failed' && !isProductError(stop.reason)) {
      deps.logger.error('sync reconciliation error', { page_id: pageId, platform, error: stop.reason });
    }
  }
  return stop;
}

const RANK: Record<RunOutcome, number> = { complete: 0, partial: 1, skipped: 2, failed: 3 };
const worse = (a: RunOutcome, b: RunOutcome): RunOutcome => (RANK[b] > RANK[a] ? b : a);
