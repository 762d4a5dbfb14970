import { randomUUID } from 'node:crypto';
import { graphSeconds } from '../conversations/graph-time.js';
import type { ConversationsGraph } from '../conversations/list-conversations.js';
import {
  type Folder,
  INDEXED_FIELDS,
  MAX_LIMIT,
  PLATFORM_FIELDS,
  type Platform,
} from '../conversations/vocabulary.js';
import { InvalidRequestError, PageTokenInvalidError, RateLimitedError } from '../errors.js';
import type { GraphConversation, GraphListPage } from '../graph/graph-client.js';
import { describeError, isProductError } from '../http/error-response.js';
import type { ConversationIndex } from '../index/conversation-index.js';
import type { Logger } from '../logger.js';
import type { BackoffStore } from '../store/backoff-store.js';
import type { PageCredentials, TokenSource } from '../tokens/token-source.js';
import type { Pacer } from './pacer.js';
import {
  emptyPartition,
  type PartitionState,
  partitionName,
  type RunOutcome,
  type RunRecord,
  type ScanCheckpoint,
} from './sync-state.js';
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

/** Fields the sync asks for and the index stores, on each platform. */
const indexedFieldsOf = (platform: Platform) =>
  INDEXED_FIELDS.filter((field) => PLATFORM_FIELDS[platform].has(field));
const DEFAULT_LEASE_MS = 90_000;
const OUTCOME_RANK: Record<RunOutcome, number> = { complete: 0, partial: 1, skipped: 2, failed: 3 };

/** What stops a partition's run early, and with what outcome. */
class StopRun extends Error {
  constructor(
    readonly outcome: RunOutcome,
    readonly reason: unknown,
  ) {
    super(outcome);
  }
}

interface RunContext {
  deps: SyncDependencies;
  pageId: string;
  owner: string;
  partitions: Record<string, PartitionState>;
  credentials: PageCredentials | undefined;
  calls: number;
  options: SyncRunOptions;
}

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
  for (const platform of deps.platforms) {
    for (const folder of deps.folders) {
      const name = partitionName(platform, folder);
      const partition = context.partitions[name] ?? emptyPartition(platform, folder);
      context.partitions[name] = partition;
      const startedAt = deps.now().toISOString();
      const callsBefore = context.calls;
      let outcome: RunOutcome = 'complete';
      let changed = 0;
      let error: unknown = null;
      try {
        if (stopAll !== undefined) throw stopAll;
        changed = await syncPartition(context, partition);
      } catch (caught: unknown) {
        const stop = caught instanceof StopRun ? caught : new StopRun('failed', caught);
        ({ outcome } = stop);
        error = stop.reason;
        changed = stop instanceof PartialProgress ? stop.changed : 0;
        // A throttle or a bad token concerns the whole page: the other partitions would fail alike.
        if (stop.outcome === 'skipped' || stop.reason instanceof PageTokenInvalidError) stopAll = stop;
        if (stop.reason instanceof LeaseLost) throw stop.reason.cause;
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
    deps.logger.error('sync run failed', { page_id: pageId, partitions: records });
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

/** A stop after some conversations were already indexed: the count of them rides along. */
class PartialProgress extends StopRun {
  constructor(
    outcome: RunOutcome,
    reason: unknown,
    readonly changed: number,
  ) {
    super(outcome, reason);
  }
}

/** Wraps a lost lease so that the partition loop lets it through: the run must stop writing at once. */
class LeaseLost extends Error {}

async function syncPartition(context: RunContext, partition: PartitionState): Promise<number> {
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
    throw new StopRun('failed', Object.assign(new LeaseLost('lease lost'), { cause: error }));
  }
}

async function fetchPage(
  context: RunContext,
  partition: PartitionState,
  cursor: string | null,
): Promise<GraphListPage<GraphConversation>> {
  const { deps, pageId } = context;
  const now = deps.now();
  const throttledUntil = await deps.backoff.throttledUntil(pageId, now);
  if (throttledUntil !== undefined) {
    throw new RateLimitedError(
      `Graph throttles this page until ${throttledUntil.toISOString()}.`,
      throttledUntil,
    );
  }
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
  const call = async (credentials: PageCredentials) => {
    await deps.pacer.take(account);
    context.calls += 1;
    const page = await deps.graph.listConversations(credentials, params);
    deps.pacer.observe(account, page.usage);
    if (page.usage.maxPercent >= 100 && page.usage.regainAccessMinutes > 0) {
      // Graph answered but says the next call will be refused: stop before it has to.
      const until = new Date(deps.now().getTime() + page.usage.regainAccessMinutes * 60_000);
      await deps.backoff.record(pageId, until, deps.now());
    }
    return page;
  };
  try {
    try {
      return await call(context.credentials);
    } catch (error: unknown) {
      if (!(error instanceof PageTokenInvalidError)) throw error;
      const reloaded = await deps.tokens.reload(pageId);
      if (
        reloaded.accessToken === context.credentials.accessToken &&
        reloaded.appSecret === context.credentials.appSecret
      )
        throw error;
      context.credentials = reloaded;
      return await call(reloaded);
    }
  } catch (error: unknown) {
    if (error instanceof RateLimitedError) await deps.backoff.record(pageId, error.retryAt, deps.now());
    throw error;
  }
}
