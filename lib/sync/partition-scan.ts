import { callAsPage, refuseIfThrottled } from '../conversations/page-call.js';
import { MAX_GRAPH_CURSOR_CHARS } from '../domain/conversation.js';
import {
  InvalidRequestError,
  KnownInvalidTokenError,
  RateLimitedError,
  UpstreamError,
} from '../domain/errors.js';
import { GRAPH_INVALID_PARAMETER } from '../domain/graph-error-table.js';
import { type PartitionState, partitionName, type ScanCheckpoint } from '../domain/sync-state.js';
import { INDEXED_FIELDS, MAX_LIMIT, PLATFORM_FIELDS, type Platform } from '../domain/vocabulary.js';
import type { GraphConversation, GraphListPage } from '../graph/graph-client.js';
import { CheckpointFailedError, DEFAULT_LEASE_MS, type RunContext, ScanStoppedError } from './run-context.js';
import {
  budgetStopReason,
  completedPartition,
  readScanPage,
  type SkippedItem,
  screenItems,
  trustedMark,
} from './scan-rules.js';

/** Kept free for the final write when the run has a deadline. */
const DEFAULT_SAFETY_MARGIN_MS = 15_000;

/**
 * The scan of one partition (a platform and folder of a page) within a sync run: Graph pages newest
 * first down to the mark, each written to the index and then checkpointed. `page-run.ts` runs the
 * partitions of a page and keeps the invariants' overview.
 */

/** Fields the sync asks for and the index stores, on each platform. */
const indexedFieldsOf = (platform: Platform) =>
  INDEXED_FIELDS.filter((field) => PLATFORM_FIELDS[platform].has(field));

/**
 * Scans one partition down to its mark, counting into `progress` the conversations that changed in the
 * index and the items Graph sent that could not be indexed. Throws `ScanStoppedError` when the scan ends
 * early (budget, time, Graph), `CheckpointFailedError` when the run cannot save its progress.
 */
export async function syncPartition(
  context: RunContext,
  partition: PartitionState,
  progress: ScanProgress,
): Promise<void> {
  const { deps, pageId } = context;
  // A scan left by an earlier run (cut short, or dead) missed what changed at the top since it began.
  let resumedScan = partition.scan !== null;
  for (;;) {
    // Before a new scan is begun: one begun without a call would cost the next run a second look at the top.
    stopIfOverBudget(context);
    const scan: ScanCheckpoint = partition.scan ?? {
      cursor: null,
      ...trustedMark(partition, nowSeconds(deps.now())),
      topTime: null,
      topIds: [],
      startedAt: deps.now().toISOString(),
    };
    partition.scan = scan;
    let page: GraphListPage<GraphConversation>;
    try {
      page = await fetchPage(context, partition, scan.cursor);
    } catch (error: unknown) {
      if (cursorRefused(error, scan.cursor)) {
        // Graph no longer accepts the checkpointed cursor (its conversation moved or was deleted):
        // scan again from the top down to the same mark. Replayed writes change and count nothing.
        partition.scan = { ...scan, cursor: null, topTime: null, topIds: [] };
        continue;
      }
      throw stopFor(error);
    }
    const { valid, skipped } = screenItems(page.data);
    reportSkipped(context, partition, skipped);
    progress.skipped += skipped.length;
    const { fresh, reachedMark, topTime, topIds } = readScanPage(scan, valid, nowSeconds(deps.now()));
    scan.topTime = topTime;
    scan.topIds = topIds;
    try {
      const changes = await deps.index.write(
        { pageId, platform: partition.platform, folder: partition.folder },
        fresh,
      );
      progress.changed += changes.length;
      // Held in another folder of the platform: moved here at once (`Conversation Moved`).
      progress.moved += changes.filter((change) => change.kind === 'moved').length;
    } catch (error: unknown) {
      // Some of the page may be written without its count: the page run counts the folders again.
      progress.countsUncertain = true;
      throw new ScanStoppedError('failed', error);
    }
    const after = reachedMark ? null : nextCursorOf(page);
    if (after !== null) {
      scan.cursor = after;
      await checkpoint(context);
      continue;
    }
    Object.assign(partition, completedPartition(partition, scan));
    if (!resumedScan) return;
    // Look at the top again for what changed while the scan was unfinished.
    resumedScan = false;
    await checkpoint(context);
  }
}

/** What a partition's scan did so far in this run, read by the page run when it records the run. */
export interface ScanProgress {
  changed: number;
  /** Of `changed`, the conversations that were indexed in another folder of the platform. */
  moved: number;
  skipped: number;
  /** An index write failed: its folders' counters may be short of what landed before it failed. */
  countsUncertain: boolean;
}

const nowSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

/** Throws `ScanStoppedError('partial')` before a Graph call the run's call or time budget does not allow. */
export function stopIfOverBudget(context: RunContext): void {
  const stopReason = budgetStopReason({
    maxGraphCalls: context.deps.maxGraphCalls,
    callsMade: context.calls,
    remainingMs: context.options.remainingMs?.(),
    safetyMarginMs: context.options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS,
  });
  if (stopReason !== undefined) throw new ScanStoppedError('partial', stopReason);
}

/** Whether Graph refused a checkpointed cursor: its conversation moved or was deleted. */
export function cursorRefused(error: unknown, cursor: string | null): boolean {
  return (
    cursor !== null && error instanceof InvalidRequestError && error.graph?.code === GRAPH_INVALID_PARAMETER
  );
}

/** How a Graph failure stops a scan: a throttled page, or a token known dead, was not tried at all. */
export function stopFor(error: unknown): ScanStoppedError {
  const untried = error instanceof RateLimitedError || error instanceof KnownInvalidTokenError;
  return new ScanStoppedError(untried ? 'skipped' : 'failed', error);
}

/** Graph's cursor to go on from after a listing; null after the last, `ScanStoppedError` if it is too large to keep. */
export function nextCursorOf(page: GraphListPage<GraphConversation>): string | null {
  const after = page.cursors.after;
  if (!page.hasNext || after === undefined) return null;
  if (after.length > MAX_GRAPH_CURSOR_CHARS) {
    // Stored in the page's sync item or a chunk, a cursor this size would push it towards DynamoDB's 400 KB.
    throw new ScanStoppedError(
      'failed',
      new UpstreamError('Graph answered with an oversized paging cursor.'),
    );
  }
  return after;
}

/** Skipped items are logged one line each, with the reason and a short id at most (never the item). */
function reportSkipped(
  context: RunContext,
  partition: PartitionState,
  skipped: readonly SkippedItem[],
): void {
  for (const item of skipped) {
    context.deps.logger.warn('sync skipped an item Graph returned', {
      page_id: context.pageId,
      partition: partitionName(partition.platform, partition.folder),
      reason: item.reason,
      conversation_id: item.id,
    });
  }
}

/** Saves the run's progress (partitions and reconciliations), renewing the lease. */
export async function checkpoint(context: RunContext): Promise<void> {
  const { deps } = context;
  // By the clock the lease is written with (see `LeaseKeeper`).
  const startedAt = deps.now().getTime();
  try {
    await deps.state.checkpoint(
      context.pageId,
      context.owner,
      { partitions: context.partitions, reconciles: context.reconciles },
      startedAt,
      deps.leaseMs ?? DEFAULT_LEASE_MS,
    );
  } catch (error: unknown) {
    throw new CheckpointFailedError('The sync could not save its checkpoint.', { cause: error });
  }
  context.lease.renewed(startedAt);
}

/** Stops the run before it spends a Graph call it may not be entitled to (see `LeaseKeeper`). */
function assertLeaseHeld(context: RunContext): void {
  try {
    context.lease.assertHeld();
  } catch (error: unknown) {
    throw new CheckpointFailedError('The sync no longer surely holds its lease.', { cause: error });
  }
}

/** One Graph listing of a folder (100 conversations), paced, as the Page, after checking the lease. */
export async function fetchPage(
  context: RunContext,
  partition: Pick<PartitionState, 'platform' | 'folder'>,
  cursor: string | null,
): Promise<GraphListPage<GraphConversation>> {
  const { deps, pageId } = context;
  assertLeaseHeld(context);
  await refuseIfThrottled(deps.backoff, pageId, deps.now(), deps.metrics);
  context.credentials ??= await deps.tokens.get(pageId);
  const account = `${pageId}:${partition.platform}`;
  const params = {
    pageId,
    platform: partition.platform,
    folder: partition.folder,
    limit: MAX_LIMIT,
    fields: indexedFieldsOf(partition.platform),
    ...(cursor === null ? {} : { after: cursor }),
  };
  const { answer, credentials } = await callAsPage(deps, pageId, context.credentials, async (used) => {
    await deps.pacer.take(account);
    context.calls += 1;
    const page = await deps.graph.listConversations(used, params);
    deps.pacer.observe(account, page.usage);
    return page;
  });
  context.credentials = credentials;
  return answer;
}
