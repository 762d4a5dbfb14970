import type { Logger } from '../telemetry/logger.js';
import type { RefreshQueue, RefreshRequest } from './refresh-request.js';

export interface InProcessRefreshQueueOptions {
  /**
   * Refreshes running at once. Each makes about ten DynamoDB calls and one Graph call per folder
   * searched; a thousand at once (one delivery's worth) queue inside the SDK until calls time out and
   * the embedded DynamoDB stops answering anything else. Default 8, the SQS worker's order of size.
   */
  concurrency?: number;
  /** Runs of a request whose handler throws (our own faults), as SQS's receive count. Default 6. */
  maxAttempts?: number;
  /** The wait before the next run after failed run `attempt` (1, 2, …): default 1 s, doubling, ≤ 30 s. */
  retryDelayMs?: (attempt: number) => number;
}

interface Queued {
  request: RefreshRequest;
  /** Runs so far. */
  attempts: number;
}

const DEFAULT_CONCURRENCY = 8;
const DEFAULT_MAX_ATTEMPTS = 6;
const defaultRetryDelay = (attempt: number) => Math.min(30_000, 1_000 * 2 ** (attempt - 1));

/**
 * The refresh queue of the local runtime and tests: each request runs in this process after its delay,
 * through the same handler the SQS worker calls, at most `concurrency` at a time, in the order sent.
 * A request whose handler throws (DynamoDB did not answer, say) runs again after a back-off, as SQS
 * delivers a failed message again; after `maxAttempts` runs it is logged as given up, where AWS would
 * move it to the dead-letter queue, and the scheduled sync remains the safety net.
 */
export class InProcessRefreshQueue implements RefreshQueue {
  private readonly ready: Queued[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: ((request: RefreshRequest) => Promise<unknown>) | undefined;
  private closed = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: (attempt: number) => number;

  constructor(
    private readonly logger: Logger,
    options: InProcessRefreshQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelay;
  }

  /** Set after construction: the handler's own dependencies include this queue (to defer requests). */
  process(handler: (request: RefreshRequest) => Promise<unknown>): this {
    this.handler = handler;
    return this;
  }

  async send(requests: readonly RefreshRequest[], delayMs = 0): Promise<void> {
    if (requests.length === 0) return;
    this.later(
      requests.map((request) => ({ request, attempts: 0 })),
      delayMs,
    );
  }

  /** Resolves once nothing is running or waiting, deferred and retried requests included. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0 || this.ready.length > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Drops what is waiting (on shutdown); what runs finishes, and is not run again. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.ready.length > 0) {
      this.logger.warn('webhook refreshes dropped at shutdown', { refresh_requests: this.ready.length });
      this.ready.length = 0;
    }
  }

  /** Queues items after `delayMs`; always through a timer, so a refresh never runs in its sender's call. */
  private later(items: Queued[], delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(...items);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency) {
      const next = this.ready.shift();
      if (next === undefined) return;
      this.run(next);
    }
  }

  private run(item: Queued): void {
    const handler = this.handler;
    if (handler === undefined) {
      this.logger.error('webhook refresh dropped: no handler', { request_id: item.request.id });
      return;
    }
    const attempts = item.attempts + 1;
    const task = handler(item.request)
      .then(() => undefined)
      .catch((error: unknown) => this.failed({ request: item.request, attempts }, error))
      .finally(() => {
        this.inFlight.delete(task);
        this.pump();
      });
    this.inFlight.add(task);
  }

  private failed(item: Queued, error: unknown): void {
    const fields = { request_id: item.request.id, attempts: item.attempts, error };
    if (item.attempts >= this.maxAttempts) {
      this.logger.error('webhook refresh given up; left to the scheduled sync', fields);
      return;
    }
    const delayMs = this.retryDelayMs(item.attempts);
    this.logger.warn('webhook refresh failed; it runs again', { ...fields, retry_in_ms: delayMs });
    this.later([item], delayMs);
  }
}
