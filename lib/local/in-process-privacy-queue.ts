import type { PrivacyJob, PrivacyJobQueue } from '../privacy/jobs.js';
import type { Logger } from '../telemetry/logger.js';

/** Runs of a job whose handler throws, as the SQS queue's receive count; then it is given up. */
const MAX_ATTEMPTS = 3;
/** The wait before a failed job runs again. */
const RETRY_DELAY_MS = 1_000;

/**
 * The erasure function's queue in the local runtime and tests: each job runs in this process at once
 * (a data-deletion request is done within seconds), through the same handler the SQS worker calls; one
 * that throws runs again after a second, three runs at most, then is logged as given up.
 */
export class InProcessPrivacyQueue implements PrivacyJobQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: ((job: PrivacyJob) => Promise<unknown>) | undefined;
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Set after construction: the handler's dependencies are built with this queue. */
  process(handler: (job: PrivacyJob) => Promise<unknown>): this {
    this.handler = handler;
    return this;
  }

  async send(job: PrivacyJob): Promise<void> {
    if (this.closed) throw new Error('The privacy queue is closed.');
    this.run(job, 1);
  }

  /** Settles once no job runs or waits to run again. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private run(job: PrivacyJob, attempt: number): void {
    const handler = this.handler;
    if (handler === undefined) {
      this.logger.error('privacy job dropped: no handler', { kind: job.kind });
      return;
    }
    const task = handler(job)
      .then(() => undefined)
      .catch((error: unknown) => {
        if (attempt >= MAX_ATTEMPTS || this.closed) {
          this.logger.error('privacy job given up', { kind: job.kind, attempts: attempt, error });
          return;
        }
        this.logger.warn('privacy job failed; it runs again', { kind: job.kind, attempts: attempt, error });
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.run(job, attempt + 1);
        }, RETRY_DELAY_MS);
        this.timers.add(timer);
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }
}
