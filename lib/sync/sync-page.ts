import { randomUUID } from 'node:crypto';
import type { ConversationsGraph } from '../conversations/list-conversations.js';
import type { Folder, Platform } from '../conversations/vocabulary.js';
import { PageTokenInvalidError } from '../errors.js';
import { describeError, isProductError } from '../http/error-response.js';
import type { ConversationIndex } from '../index/conversation-index.js';
import type { Logger } from '../logger.js';
import type { BackoffStore } from '../store/backoff-store.js';
import type { TokenSource } from '../tokens/token-source.js';
import type { Pacer } from './pacer.js';
import {
  CheckpointFailed,
  DEFAULT_LEASE_MS,
  PartialProgress,
  type RunContext,
  StopRun,
  syncPartition,
} from './partition-scan.js';
import { emptyPartition, partitionName, type RunOutcome, type RunRecord } from './sync-state.js';
import type { SyncStateStore } from './sync-state-store.js';

export interface SyncDependencies {
  graph: ConversationsGraph;
  tokens: TokenSource;
  backoff: BackoffStore;
  state: SyncStateStore;
  index: ConversationIndex;
  pacer: Pacer;
  logger: Logger;
  now: () => Date;
  platforms: readonly Platform[];
  folders: readonly Folder[];
  /** A cap on Graph calls per page per run; past it the run ends `partial`. */
  maxGraphCalls?: number | undefined;
  /** How long a lease lasts without a checkpoint renewing it: longer than one Graph call with retries. */
  leaseMs?: number;
}

export interface SyncRunOptions {
  /** Milliseconds this run may still use; the run checkpoints and stops before they run out. */
  remainingMs?: () => number;
  /** Kept free for the final write when `remainingMs` is given. */
  safetyMarginMs?: number;
}

export interface PageRunResult {
  pageId: string;
  /** `busy` when another run holds the page's lease: nothing was done. */
  outcome: RunOutcome | 'busy';
  graphCalls: number;
  conversationsChanged: number;
  partitions: Record<string, RunRecord>;
}

/** Logged (as the JSON line's `message`) when a run fails: the stack's sync-failure alarm counts it. */
export const SYNC_RUN_FAILED_MESSAGE = 'sync run failed';

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
 */
export async function syncPage(
  deps: SyncDependencies,
  pageId: string,
  options: SyncRunOptions = {},
): Promise<PageRunResult> {
  const owner = randomUUID();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const state = await deps.state.acquire(pageId, owner, deps.now().getTime(), leaseMs);
  if (state === undefined) {
    return { pageId, outcome: 'busy', graphCalls: 0, conversationsChanged: 0, partitions: {} };
  }
  const context: RunContext = {
    deps,
    pageId,
    owner,
    partitions: state.partitions,
    credentials: undefined,
    calls: 0,
    options,
  };
  const records: Record<string, RunRecord> = {};
  let stopAll: StopRun | undefined;
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
      let changed = 0;
      let error: unknown = null;
      try {
        // Only the outcome and reason carry over: the progress counted belongs to the first partition.
        if (stopAll !== undefined) throw new StopRun(stopAll.outcome, stopAll.reason);
        changed = await syncPartition(context, partition);
      } catch (caught: unknown) {
        if (caught instanceof CheckpointFailed) throw caught.cause;
        const stop = caught instanceof StopRun ? caught : new StopRun('failed', caught);
        ({ outcome } = stop);
        error = stop.reason;
        changed = stop instanceof PartialProgress ? stop.changed : 0;
        // A throttle or a bad token concerns the whole page: the other partitions would fail alike.
        if (stop.outcome === 'skipped' || stop.reason instanceof PageTokenInvalidError) stopAll = stop;
      }
      if (changed > 0) partition.indexedConversations = await deps.index.count({ pageId, platform, folder });
      const record: RunRecord = {
        started_at: startedAt,
        finished_at: deps.now().toISOString(),
        outcome,
        graph_calls: context.calls - callsBefore,
        conversations_changed: changed,
        error: error === null || error === undefined ? null : describeError(error, deps.now()),
      };
      if (outcome === 'failed' && !isProductError(error)) {
        // A bug or an outage of our own: the record says only "internal_error", the log says more.
        deps.logger.error('sync partition error', {
          page_id: pageId,
          partition: name,
          error_name: error instanceof Error ? error.name : typeof error,
          error_message: error instanceof Error ? error.message : undefined,
        });
      }
      partition.lastRun = record;
      records[name] = record;
    }
  }
  await deps.state.release(pageId, owner, context.partitions);
  const result: PageRunResult = {
    pageId,
    outcome: worstOutcome(Object.values(records)),
    graphCalls: context.calls,
    conversationsChanged: Object.values(records).reduce(
      (sum, record) => sum + record.conversations_changed,
      0,
    ),
    partitions: records,
  };
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

function worstOutcome(records: RunRecord[]): RunOutcome {
  return records.reduce<RunOutcome>(
    (worst, record) => (OUTCOME_RANK[record.outcome] > OUTCOME_RANK[worst] ? record.outcome : worst),
    'complete',
  );
}
