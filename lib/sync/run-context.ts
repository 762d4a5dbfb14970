import type { ConversationsGraph } from '../conversations/list-conversations.js';
import type { PageCallDependencies } from '../conversations/page-call.js';
import type { PageCredentials } from '../domain/conversation.js';
import type { PartitionState, ReconcileScans, RunOutcome } from '../domain/sync-state.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { PageProfile } from '../graph/graph-client.js';
import type { SubscriptionGraph } from '../graph/graph-subscriptions.js';
import type { ConversationIndex } from '../store/conversation-index.js';
import type { PageRegistry } from '../store/page-registry.js';
import type { ReconcileStore } from '../store/reconcile-store.js';
import type { SyncStateStore } from '../store/sync-state-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { Heartbeat, LeaseKeeper } from './lease-keeper.js';
import type { Pacer } from './pacer.js';

/**
 * What a page run (`page-run.ts`) and the scan of one partition (`partition-scan.ts`) share: the run's
 * collaborators, its running state and the ways a scan stops. The page run imports the scan; both
 * import this, and this imports neither.
 */

export interface SyncDependencies extends PageCallDependencies {
  graph: ConversationsGraph;
  /** The Page registry: told each run's summary and each Page's name (absent in some tests). */
  registry?: PageRegistry;
  /** Reads a Page's name and Instagram account for the registry (the Graph client). */
  profiles?: { pageProfile(credentials: PageCredentials, pageId: string): Promise<PageProfile> };
  /** Reads (and may renew) a Page's webhook subscription daily; absent where webhooks are off. */
  subscriptions?: SubscriptionGraph;
  /** `WEBHOOK_AUTO_SUBSCRIBE`: subscribe a Page found `not_subscribed` again. */
  webhookAutoSubscribe?: boolean;
  state: SyncStateStore;
  index: ConversationIndex;
  pacer: Pacer;
  logger: Logger;
  now: () => Date;
  platforms: readonly Platform[];
  folders: readonly Folder[];
  /** A cap on Graph calls per page per run; past it the run ends `partial`. */
  maxGraphCalls?: number | undefined;
  /** The ids each reconciliation saw (`reconcile.ts`); without it no run reconciles. */
  reconciliations?: ReconcileStore;
  /** `RECONCILE_EVERY_HOURS`: how often each platform is reconciled; 0 only on request. Default 24. */
  reconcileEveryHours?: number | undefined;
  /** How long a lease lasts without a checkpoint renewing it: longer than one Graph call with retries. */
  leaseMs?: number;
  /** What renews the lease while a run waits: default a real interval; tests turn one by hand. */
  heartbeat?: Heartbeat;
  /** `RETENTION_DAYS`: the Page's daily sweep of conversations past it (`lib/privacy/expiry.ts`). */
  sweep?: (pageId: string) => Promise<unknown>;
}

export interface SyncRunOptions {
  /** Milliseconds this run may still use; the run checkpoints and stops before they run out. */
  remainingMs?: () => number;
  /** Kept free for the final write when `remainingMs` is given. */
  safetyMarginMs?: number;
  /** `POST /sync?full=true`: reconcile every platform in this run, due or not. */
  full?: boolean;
}

/** Short, so that a crashed run's page is free again soon; a heartbeat keeps a live run's lease. */
export const DEFAULT_LEASE_MS = 30_000;

/** One page run in progress: shared by the scans of its partitions. */
export interface RunContext {
  deps: SyncDependencies;
  pageId: string;
  /** The lease owner this run writes as, and what keeps its lease. */
  owner: string;
  lease: LeaseKeeper;
  partitions: Record<string, PartitionState>;
  /** Reconciliations in progress, by platform: saved with every checkpoint of the sync state. */
  reconciles: ReconcileScans;
  /** A reconciliation asked for while the Page was busy (`PageSyncState.reconcileRequestedAt`). */
  reconcileRequestedAt: number | undefined;
  credentials: PageCredentials | undefined;
  /** Graph calls made so far by this run, over all partitions. */
  calls: number;
  options: SyncRunOptions;
}

/** A scan that stopped early, with its outcome and its reason. */
export class ScanStoppedError extends Error {
  constructor(
    readonly outcome: Exclude<RunOutcome, 'complete'>,
    readonly reason: unknown,
  ) {
    super(outcome);
  }
}

/**
 * The run can no longer save its progress (its lease went to another run, or DynamoDB fails): it stops
 * at once, spending no more Graph calls, and its lease lapses by itself. Carries the write's error.
 */
export class CheckpointFailedError extends Error {}
