import { LeaseLostError, type SyncStateStore } from '../store/sync-state-store.js';

/**
 * Keeps a run's lease alive while the run waits (on a hanging Graph, on the pacer), and tells the run
 * when it can no longer be sure it holds it.
 *
 * Why: a lease long enough for the slowest run would leave a crashed run's page locked for that long,
 * and a short one would lapse under a live run that waits on Graph, letting a second run start and
 * both write. So the lease is short (30 s by default) and a heartbeat renews it every third of that.
 * The run checks `assertHeld()` before each Graph call: if the last renewal is older than the lease
 * (DynamoDB unreachable) or the lease went to another run, it stops rather than risk overlapping.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  /** Wall-clock time until which this run surely holds the lease. */
  private heldUntil: number;
  private lost: LeaseLostError | undefined;

  constructor(
    private readonly store: SyncStateStore,
    private readonly pageId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => Date,
  ) {
    this.heldUntil = Date.now() + leaseMs;
  }

  start(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
    // A forgotten heartbeat must not keep a process (or a Lambda's event loop) alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records a write that renewed the lease as a side effect (a checkpoint). */
  renewed(startedAt: number): void {
    this.heldUntil = Math.max(this.heldUntil, startedAt + this.leaseMs);
  }

  /** Throws `LeaseLostError` once the run cannot be sure it still holds its lease. */
  assertHeld(): void {
    if (this.lost !== undefined) throw this.lost;
    if (Date.now() >= this.heldUntil) {
      throw new LeaseLostError(`The sync lease of page ${this.pageId} could not be renewed in time.`);
    }
  }

  private async renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      await this.store.renew(this.pageId, this.owner, this.now().getTime(), this.leaseMs);
      this.renewed(startedAt);
    } catch (error: unknown) {
      // Only a lost lease is final; a failed write is retried on the next beat while time remains.
      if (error instanceof LeaseLostError) this.lost = error;
    }
  }
}
