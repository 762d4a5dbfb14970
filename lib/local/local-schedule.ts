import type { Logger } from '../telemetry/logger.js';
import type { InProcessSyncRunner } from './in-process-sync-runner.js';

export interface LocalSchedule {
  /** One scheduled round now, as EventBridge would start it: every registered page. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

const PROGRESS_EVERY_MS = 5_000;

/** The fan-out's concurrency cap, the same default as the deployed queue's. */
export const LOCAL_SYNC_CONCURRENCY = 10;

/**
 * The stand-in for the EventBridge schedule: a round at start (once `startAfter` settles), then every
 * `intervalSeconds` (0: none but `runOnce`). A round still going when the next is due is not doubled;
 * the next simply waits.
 */
export function startLocalSchedule(
  runner: InProcessSyncRunner,
  pages: { listPageIds(): Promise<string[]> },
  intervalSeconds: number,
  logger: Logger,
  startAfter: Promise<unknown> = Promise.resolve(),
): LocalSchedule {
  let round: Promise<void> | undefined;
  const runOnce = () => {
    round ??= (async () => {
      const pageIds = await pages.listPageIds();
      const started = Date.now();
      let done = 0;
      let reported = started;
      const results = await runner.syncAll(pageIds, LOCAL_SYNC_CONCURRENCY, () => {
        done += 1;
        // A long local round (hundreds of pages, or a first backfill) says how far it is.
        if (Date.now() - reported >= PROGRESS_EVERY_MS && done < pageIds.length) {
          reported = Date.now();
          logger.info('sync round progress', { pages_done: `${done}/${pageIds.length}` });
        }
      });
      const outcomes: Record<string, number> = {};
      for (const result of results) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
      logger.info('sync round', {
        pages: pageIds.length,
        outcomes,
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
      });
    })()
      .catch((error: unknown) => {
        logger.error('sync round failed', { error });
      })
      .finally(() => {
        round = undefined;
      });
    return round;
  };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (intervalSeconds > 0) {
    void startAfter.then(() => {
      if (stopped) return;
      timer = setInterval(() => void runOnce(), intervalSeconds * 1000);
      timer.unref();
      void runOnce();
    });
  }
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await round;
      await runner.idle();
    },
  };
}
