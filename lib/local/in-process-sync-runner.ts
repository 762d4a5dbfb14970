import { forEachLimited } from '../domain/concurrency.js';
import type { PageRunResult, SyncRunOptions } from '../sync/page-run.js';
import type { SyncStarter, SyncStartOptions } from '../sync/sync-control.js';
import type { Logger } from '../telemetry/logger.js';

/**
 * The fan-out in one process: the local runtime's stand-in for the queue and its workers, with the same
 * concurrency cap. `start` does not wait for the run; one page never runs twice at once here, and the
 * lease guards against other processes.
 */
export class InProcessSyncRunner implements SyncStarter {
  private readonly running = new Map<string, Promise<PageRunResult | undefined>>();

  constructor(
    private readonly run: (pageId: string, options?: SyncRunOptions) => Promise<PageRunResult>,
    private readonly logger: Logger,
  ) {}

  async start(pageId: string, options: SyncStartOptions = {}): Promise<void> {
    const running = this.running.get(pageId);
    // `full` asked while the Page runs: one more run once it ends, which reconciles.
    if (running !== undefined && options.full === true) void running.then(() => this.launch(pageId, options));
    else this.launch(pageId, options);
  }

  /** Syncs every page, `concurrency` at a time, and returns each page's result; `onRun` sees each as it ends. */
  async syncAll(
    pageIds: readonly string[],
    concurrency: number,
    onRun: (result: PageRunResult | undefined) => void = () => undefined,
  ): Promise<PageRunResult[]> {
    const results: PageRunResult[] = [];
    await forEachLimited(pageIds, concurrency, async (pageId) => {
      const result = await this.launch(pageId);
      if (result !== undefined) results.push(result);
      onRun(result);
    });
    return results;
  }

  /** Resolves once no run is in flight: for shutdown and tests. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private launch(pageId: string, options: SyncStartOptions = {}): Promise<PageRunResult | undefined> {
    const existing = this.running.get(pageId);
    if (existing !== undefined) return existing;
    const run = this.run(pageId, options.full === true ? { full: true } : {})
      .catch((error: unknown) => {
        this.logger.error('sync run crashed', {
          page_id: pageId,
          error,
        });
        return undefined;
      })
      .finally(() => this.running.delete(pageId));
    this.running.set(pageId, run);
    return run;
  }
}
