import { graphSeconds } from '../conversations/graph-time.js';
import { INDEXED_FIELDS, MAX_LIMIT, PLATFORM_FIELDS, type Platform } from '../conversations/vocabulary.js';
import { InvalidRequestError, RateLimitedError } from '../errors.js';
import { callAsPage, refuseIfThrottled } from '../graph/call-as-page.js';
import type { GraphConversation, GraphListPage } from '../graph/graph-client.js';
import type { PageCredentials } from '../tokens/token-source.js';
import type { SyncDependencies, SyncRunOptions } from './sync-page.js';
import type { PartitionState, RunOutcome, ScanCheckpoint } from './sync-state.js';

/**
 * The scan of one partition (a platform and folder of a page) within a sync run: Graph pages newest
 * first down to the mark, each written to the index and then checkpointed. `sync-page.ts` runs the
 * partitions of a page and keeps the invariants' overview.
 */

/** Fields the sync asks for and the index stores, on each platform. */
const indexedFieldsOf = (platform: Platform) =>
  INDEXED_FIELDS.filter((field) => PLATFORM_FIELDS[platform].has(field));
export const DEFAULT_LEASE_MS = 90_000;

/** What stops a partition's run early, and with what outcome. */
export class StopRun extends Error {
  constructor(
    readonly outcome: RunOutcome,
    readonly reason: unknown,
  ) {
    super(outcome);
  }
}

export interface RunContext {
  deps: SyncDependencies;
  pageId: string;
  owner: string;
  partitions: Record<string, PartitionState>;
  credentials: PageCredentials | undefined;
  calls: number;
  options: SyncRunOptions;
}

/** A stop after some conversations were already indexed: the count of them rides along. */
export class PartialProgress extends StopRun {
  constructor(
    outcome: RunOutcome,
    reason: unknown,
    readonly changed: number,
  ) {
    super(outcome, reason);
  }
}

/**
 * The run can no longer save its progress (its lease went to another run, or DynamoDB fails): it stops
 * at once, spending no more Graph calls, and its lease lapses by itself. Carries the write's error.
 */
export class CheckpointFailed extends Error {}

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
    const stopReason = budgetExhausted(context);
    if (stopReason !== undefined) {
      throw new PartialProgress('partial', stopReason, changed);
    }
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
      throw new PartialProgress(error instanceof RateLimitedError ? 'skipped' : 'failed', error, changed);
    }
    const { fresh, reachedMark } = selectFresh(scan, page.data);
    try {
      changed += await deps.index.upsert(
        { pageId, platform: partition.platform, folder: partition.folder },
        fresh,
      );
    } catch (error: unknown) {
      throw new PartialProgress('failed', error, changed);
    }
    const complete = reachedMark || !page.hasNext || page.cursors.after === undefined;
    if (!complete) {
      scan.cursor = page.cursors.after ?? null;
      await checkpoint(context);
      continue;
    }
    completeScan(partition, scan);
    if (!resumedScan) return changed;
    // Look at the top again for what changed while the scan was unfinished.
    resumedScan = false;
    await checkpoint(context);
  }
}

/** Picks the conversations of a page that the index lacks, and says whether the mark was reached. */
function selectFresh(scan: ScanCheckpoint, conversations: GraphConversation[]) {
  const fresh: GraphConversation[] = [];
  const stopSecond = scan.stopAt === null ? undefined : graphSeconds(scan.stopAt);
  const seenAtMark = new Set(scan.stopIds);
  for (const conversation of conversations) {
    const second = graphSeconds(conversation.updated_time);
    if (stopSecond !== undefined && second < stopSecond) return { fresh, reachedMark: true };
    scan.topTime ??= conversation.updated_time;
    if (second === graphSeconds(scan.topTime) && !scan.topIds.includes(conversation.id))
      scan.topIds.push(conversation.id);
    if (second === stopSecond && seenAtMark.has(conversation.id)) continue;
    fresh.push(conversation);
  }
  return { fresh, reachedMark: false };
}

/** Moves the mark to the newest conversation the scan met, and remembers the ids at its second. */
function completeScan(partition: PartitionState, scan: ScanCheckpoint): void {
  if (scan.topTime !== null) {
    const sameSecond =
      partition.highWaterMark !== null &&
      graphSeconds(partition.highWaterMark) === graphSeconds(scan.topTime);
    partition.markIds = sameSecond ? [...new Set([...partition.markIds, ...scan.topIds])] : [...scan.topIds];
    partition.highWaterMark = scan.topTime;
  }
  partition.syncedAt = scan.startedAt;
  partition.scan = null;
}

function budgetExhausted(context: RunContext): string | undefined {
  const { deps, options } = context;
  if (deps.maxGraphCalls !== undefined && context.calls >= deps.maxGraphCalls) {
    return `Stopped at the budget of ${deps.maxGraphCalls} Graph calls; resumes on the next run.`;
  }
  if (options.remainingMs !== undefined && options.remainingMs() < (options.safetyMarginMs ?? 15_000)) {
    return 'Stopped before the time limit; resumes on the next run.';
  }
  return undefined;
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
