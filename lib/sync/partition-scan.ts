import { callAsPage, refuseIfThrottled } from '../conversations/page-call.js';
import { InvalidRequestError, RateLimitedError } from '../domain/errors.js';
import type { PartitionState, ScanCheckpoint } from '../domain/sync-state.js';
import { INDEXED_FIELDS, MAX_LIMIT, PLATFORM_FIELDS, type Platform } from '../domain/vocabulary.js';
import type { GraphConversation, GraphListPage } from '../graph/graph-client.js';
import { CheckpointFailed, DEFAULT_LEASE_MS, type RunContext, ScanStopped } from './run-context.js';
import { budgetStopReason, completedPartition, readScanPage } from './scan-rules.js';

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
 * Scans one partition down to its mark and returns how many conversations changed in the index.
 * Throws `ScanStopped` when the scan ends early (budget, time, Graph), `CheckpointFailed` when the run
 * cannot save its progress.
 */
export async function syncPartition(context: RunContext, partition: PartitionState): Promise<number> {
  const { deps, pageId } = context;
  let changed = 0;
  // A scan left by an earlier run (cut short, or dead) missed what changed at the top since it began.
  let resumedScan = partition.scan !== null;
  for (;;) {
    const scan: ScanCheckpoint = partition.scan ?? {
      cursor: null,
      stopAt: partition.highWaterMark,
      stopIds: [...partition.markIds],
      topTime: null,
      topIds: [],
      startedAt: deps.now().toISOString(),
    };
    partition.scan = scan;
    const stopReason = budgetStopReason({
      maxGraphCalls: deps.maxGraphCalls,
      callsMade: context.calls,
      remainingMs: context.options.remainingMs?.(),
      safetyMarginMs: context.options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS,
    });
    if (stopReason !== undefined) throw new ScanStopped('partial', stopReason, changed);
    let page: GraphListPage<GraphConversation>;
    try {
      page = await fetchPage(context, partition, scan.cursor);
    } catch (error: unknown) {
      if (scan.cursor !== null && error instanceof InvalidRequestError && error.graph?.code === 100) {
        // Graph no longer accepts the checkpointed cursor (its conversation moved or was deleted):
        // scan again from the top down to the same mark. Replayed writes change and count nothing.
        partition.scan = { ...scan, cursor: null, topTime: null, topIds: [] };
        continue;
      }
      throw new ScanStopped(error instanceof RateLimitedError ? 'skipped' : 'failed', error, changed);
    }
    const { fresh, reachedMark, topTime, topIds } = readScanPage(scan, page.data);
    scan.topTime = topTime;
    scan.topIds = topIds;
    try {
      changed += await deps.index.upsert(
        { pageId, platform: partition.platform, folder: partition.folder },
        fresh,
      );
    } catch (error: unknown) {
      throw new ScanStopped('failed', error, changed);
    }
    const complete = reachedMark || !page.hasNext || page.cursors.after === undefined;
    if (!complete) {
      scan.cursor = page.cursors.after ?? null;
      await checkpoint(context);
      continue;
    }
    Object.assign(partition, completedPartition(partition, scan));
    if (!resumedScan) return changed;
    // Look at the top again for what changed while the scan was unfinished.
    resumedScan = false;
    await checkpoint(context);
  }
}

async function checkpoint(context: RunContext): Promise<void> {
  const { deps } = context;
  try {
    await deps.state.checkpoint(
      context.pageId,
      context.owner,
      context.partitions,
      deps.now().getTime(),
      deps.leaseMs ?? DEFAULT_LEASE_MS,
    );
  } catch (error: unknown) {
    throw new CheckpointFailed('The sync could not save its checkpoint.', { cause: error });
  }
}

async function fetchPage(
  context: RunContext,
  partition: PartitionState,
  cursor: string | null,
): Promise<GraphListPage<GraphConversation>> {
  const { deps, pageId } = context;
  await refuseIfThrottled(deps.backoff, pageId, deps.now());
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
