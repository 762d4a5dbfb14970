import { LeaseLostError, type SyncStateStore } from '../store/sync-state-store.js';

/**
 * What beats a lease's heartbeat. Production uses `INTERVAL_HEARTBEAT`; a test passes one it turns by
 * hand, so that whether a lease lapses depends on the steps the test takes, never on how busy the
 * machine is.
 */
export interface Heartbeat {
  /** Calls `beat` every `everyMs` until the returned function is called. */
  start(everyMs: number, beat: () => Promise<void>): () => void;
}

/** A real interval timer. A forgotten heartbeat must not keep a process (or a Lambda's loop) alive. */
export const INTERVAL_HEARTBEAT: Heartbeat = Object.freeze({
  start(everyMs: number, beat: () => Promise<void>): () => void {
    const timer = setInterval(() => void beat(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  },
});

/**
 * Keeps a run's lease alive while the run waits (on a hanging Graph, on the pacer), and tells the run
 * when it can no longer be sure it holds it.
 *
 * Why: a lease long enough for the slowest run would leave a crashed run's page locked for that long,
 * and a short one would lapse under a live run that waits on Graph, letting a second run start and
 * both write. So the lease is short (30 s by default) and a heartbeat renews it every third of that.
 * The run checks `assertHeld()` before each Graph call: if the last renewal is older than the lease
 * (DynamoDB unreachable) or the lease went to another run, it stops rather than risk overlapping.
 *
 * Every time here comes from `now`, the clock the run writes the lease with: the store compares lease
 * times written by `now`, so judging them by another clock could keep or drop a lease the store does not.
 */
export class LeaseKeeper {
  private stopBeating: (() => void) | undefined;
  /** Time (by `now`) until which this run surely holds the lease. */
  private heldUntil: number;
  private lost: LeaseLostError | undefined;

  constructor(
    private readonly store: SyncStateStore,
    private readonly pageId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => Date,
    private readonly heartbeat: Heartbeat = INTERVAL_HEARTBEAT,
  ) {
    this.heldUntil = now().getTime() + leaseMs;
  }

  start(): void {
    this.stopBeating = this.heartbeat.start(Math.max(1, Math.floor(this.leaseMs / 3)), () => this.renew());
  }

  stop(): void {
    this.stopBeating?.();
    this.stopBeating = undefined;
  }

  /** Records a write that renewed the lease as a side effect (a checkpoint), by its start time. */
  renewed(startedAt: number): void {
    this.heldUntil = Math.max(this.heldUntil, startedAt + this.leaseMs);
  }

  /** Throws `LeaseLostError` once the run cannot be sure it still holds its lease. */
  assertHeld(): void {
    if (this.lost !== undefined) throw this.lost;
    if (this.now().getTime() >= this.heldUntil) {
      throw new LeaseLostError(`The sync lease of page ${this.pageId} could not be renewed in time.`);
    }
  }

  private async renew(): Promise<void> {
    // The lease runs from when the write was sent: a slow answer must not stretch it.
    const startedAt = this.now().getTime();
    try {
      await this.store.renew(this.pageId, this.owner, startedAt, this.leaseMs);
      this.renewed(startedAt);
    } catch (error: unknown) {
      // Only a lost lease is final; a failed write is retried on the next beat while time remains.
      if (error instanceof LeaseLostError) this.lost = error;
    }
  }
}
