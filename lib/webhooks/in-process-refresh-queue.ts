import type { Logger } from '../telemetry/logger.js';
import type { RefreshQueue, RefreshRequest } from './refresh-request.js';

/**
 * The refresh queue of the local runtime and tests: each request runs in this process after its delay,
 * through the same handler the SQS worker calls. A request whose handler throws is logged and dropped
 * (locally there is no dead-letter queue; the schedule remains the safety net).
 */
export class InProcessRefreshQueue implements RefreshQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: ((request: RefreshRequest) => Promise<unknown>) | undefined;

  constructor(private readonly logger: Logger) {}

  /** Set after construction: the handler's own dependencies include this queue (to defer requests). */
  process(handler: (request: RefreshRequest) => Promise<unknown>): this {
    this.handler = handler;
    return this;
  }

  async send(requests: readonly RefreshRequest[], delayMs = 0): Promise<void> {
    for (const request of requests) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.run(request);
      }, delayMs);
      this.timers.add(timer);
    }
  }

  /** Resolves once nothing is running or waiting, deferred requests included. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Drops what is waiting (on shutdown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private run(request: RefreshRequest): void {
    const handler = this.handler;
    if (handler === undefined) {
      this.logger.error('webhook refresh dropped: no handler', { request_id: request.id });
      return;
    }
    const task = handler(request)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error('webhook refresh crashed', { request_id: request.id, error }),
      )
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }
}
