import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PageSyncState, PartitionState, ReconcileScans, SyncProgress } from '../domain/sync-state.js';
import { keys } from './keys.js';
import { epochSeconds, isExpired, namesOf, type Stored, Table, type Values } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/** A Page's sync state and lease (`keys.syncState`). */
interface SyncStateItem {
  /** Every partition's state, JSON. */
  partitions: string;
  /** The reconciliations in progress, by platform, JSON (absent before 0.3.0, and when none ever ran). */
  reconciles: string;
  lease_owner: string;
  /** Epoch ms, by the clock of the run that holds it. */
  lease_until: number;
  /** Epoch ms: a `full=true` run found the Page busy (see `PageSyncState.reconcileRequestedAt`). */
  reconcile_requested_at: number;
}

/** When `POST /sync` last started a run (`keys.syncRequest`). */
interface SyncRequestItem {
  /** Epoch ms, by the API's clock. */
  requested_at: number;
  expires_at: number;
}

/** A request older than this no longer shows the Page running: its run was lost (or left for the schedule). */
export const RUN_REQUEST_SHOWN_MS = 15 * 60 * 1000;

/** The lease moved to another run (this one outlived it): this run must stop writing at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * The sync state of each Page: one item that holds every partition's state and the Page's lease.
 *
 * Invariants kept here:
 * - Only the lease holder writes the partitions, and every write is conditional on still holding it,
 *   so a run that overran its lease cannot overwrite the work of the run that took over.
 * - Taking the lease returns the state in the same call, and every checkpoint renews the lease: a run
 *   costs one write to start, one per Graph listing it checkpoints, and one to finish.
 * - A crashed run's lease expires by itself (`lease_until`, checked by the condition, since neither
 *   DynamoDB's TTL nor the embedded DynamoDB deletes on time).
 */
export class SyncStateStore {
  private readonly table: Table;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new Table(client, tableName);
  }

  /** Reads the state without taking the lease: for `GET /sync` and `POST /sync`. */
  async read(pageId: string): Promise<PageSyncState> {
    return parseState(await this.table.get<SyncStateItem>(keys.syncState(pageId), { consistent: true }));
  }

  /** `read`, and when `POST /sync` last started a run (a second item the API may write). */
  async readWithRequest(pageId: string, now: Date): Promise<PageSyncState> {
    const [state, request] = await Promise.all([
      this.read(pageId),
      this.table.get<SyncRequestItem>(keys.syncRequest(pageId), { consistent: true }),
    ]);
    const live = request !== undefined && !isExpired(request, now);
    return { ...state, runRequestedAt: live ? request.requested_at : undefined };
  }

  /**
   * Records that `POST /sync` started a run at `now`, in an item of its own: the API never writes the
   * sync state, so it can neither overwrite a lease nor a checkpoint.
   */
  async recordRunRequest(pageId: string, now: Date): Promise<void> {
    await this.table.put({
      ...keys.syncRequest(pageId),
      requested_at: now.getTime(),
      [TABLE_KEYS.timeToLive]: epochSeconds(now) + RUN_REQUEST_SHOWN_MS / 1000,
    });
  }

  /**
   * Asks the next run for a reconciliation of every platform (`POST /sync?full=true` found a run holding
   * the Page). Written beside the lease holder's attributes, never over them, so it needs no lease.
   */
  async requestReconciliation(pageId: string, now: number): Promise<void> {
    await this.table.update(keys.syncState(pageId), {
      update: 'SET #requested = :now',
      names: namesOf<SyncStateItem>({ '#requested': 'reconcile_requested_at' }),
      values: { ':now': now },
    });
  }

  /**
   * Takes the Page's lease for `owner` until `now + leaseMs`; undefined when another run holds it.
   * `interrupted`: the lease was still set, so the run before died or overran it without releasing.
   */
  async acquire(
    pageId: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<(PageSyncState & { interrupted: boolean }) | undefined> {
    const taken = await this.table.update<SyncStateItem>(keys.syncState(pageId), {
      update: 'SET lease_owner = :owner, lease_until = :until',
      condition: 'attribute_not_exists(lease_owner) OR lease_until < :now',
      values: { ':owner': owner, ':until': now + leaseMs, ':now': now },
      // The item as it was: its partitions are unchanged, and its lease tells of the run before.
      returns: 'ALL_OLD',
    });
    if (!taken.applied) return undefined;
    const before = parseState(taken.record);
    return { ...before, lease: { owner, until: now + leaseMs }, interrupted: before.lease !== null };
  }

  /** Saves the run's progress and renews the lease. Throws `LeaseLostError` if `owner` no longer holds it. */
  async checkpoint(
    pageId: string,
    owner: string,
    progress: SyncProgress,
    now: number,
    leaseMs: number,
  ): Promise<void> {
    await this.write(pageId, owner, progress, ', lease_until = :until', { ':until': now + leaseMs });
  }

  /** Extends the lease of `owner` without touching the partitions: the heartbeat of a run that waits. */
  async renew(pageId: string, owner: string, now: number, leaseMs: number): Promise<void> {
    const renewed = await this.table.update(keys.syncState(pageId), {
      update: 'SET lease_until = :until',
      condition: 'lease_owner = :owner',
      values: { ':owner': owner, ':until': now + leaseMs },
    });
    if (!renewed.applied) throw leaseLost(pageId);
  }

  /** Saves the run's progress and gives the lease up, in one write. */
  async release(pageId: string, owner: string, progress: SyncProgress): Promise<void> {
    await this.write(pageId, owner, progress, ' REMOVE lease_owner, lease_until', {});
  }

  /** Writes the progress (`SET` first, then `more`: further `SET` items, or other clauses). */
  private async write(
    pageId: string,
    owner: string,
    progress: SyncProgress,
    more: string,
    values: Values,
  ): Promise<void> {
    const written = await this.table.update(keys.syncState(pageId), {
      update: `SET #partitions = :partitions, #reconciles = :reconciles${more}`,
      condition: 'lease_owner = :owner',
      // `partitions` is one of DynamoDB's reserved words.
      names: namesOf<SyncStateItem>({ '#partitions': 'partitions', '#reconciles': 'reconciles' }),
      values: {
        ':owner': owner,
        ':partitions': JSON.stringify(progress.partitions),
        ':reconciles': JSON.stringify(progress.reconciles),
        ...values,
      },
    });
    if (!written.applied) throw leaseLost(pageId);
  }
}

const leaseLost = (pageId: string) => new LeaseLostError(`The sync lease of page ${pageId} was lost.`);

function parseState(item: Stored<SyncStateItem> | undefined): PageSyncState {
  const owner = item?.lease_owner;
  const until = item?.lease_until;
  return {
    partitions:
      item?.partitions === undefined ? {} : (JSON.parse(item.partitions) as Record<string, PartitionState>),
    reconciles: item?.reconciles === undefined ? {} : (JSON.parse(item.reconciles) as ReconcileScans),
    lease: owner === undefined || until === undefined ? null : { owner, until },
    reconcileRequestedAt: item?.reconcile_requested_at,
  };
}
