import type { Logger } from '../telemetry/logger.js';
import { type PageRunResult, type SyncDependencies, syncPage } from './page-run.js';
import { parseSyncMessage } from './sync-queue.js';

/**
 * What the worker reads of a queue message and of its invocation (Lambda's `SQSRecord`, `Context`). A
 * type, not an interface: Powertools' processor takes records typed with an index signature.
 */
export type QueuedRecord = { messageId: string; body: string };
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** Below this, a run could not even take its lease, call Graph once and write back. */
const MIN_RUN_MS = 20_000;

/**
 * How Powertools' batch processor runs the fan-out queue's messages: all of a batch at once. A run waits
 * on Graph and DynamoDB most of its time and each Page is paced on its own account, so a batch of ten
 * takes about as long as one run, billed once; each run has the invocation's whole remaining time and
 * fails alone. A batch that failed whole is answered as any partial failure, every message listed,
 * rather than thrown as an invocation error (the processor's default).
 */
export const SYNC_BATCH_OPTIONS = { processInParallel: true, throwOnFullBatchFailure: false } as const;

/** A message left for lack of time: the queue delivers it again, to an invocation with time. */
export class SyncTimeUpError extends Error {
  override readonly name = 'SyncTimeUpError';
}

/**
 * The fan-out queue's record handler, for Powertools' `processPartialResponse`: one Page per message.
 * What Graph does wrong is recorded in the Page's sync state and waits for the next schedule (the
 * message is done); only our own faults (DynamoDB unreachable, a lease lost mid-run) and Pages left for
 * lack of time throw, and so go back to the queue. A message that can never parse is logged and done:
 * redelivering it would only end in the dead-letter queue later.
 */
export function createSyncRecordHandler(
  deps: SyncDependencies,
  logger: Logger,
): (record: QueuedRecord, context: InvocationClock) => Promise<PageRunResult | undefined> {
  // The runs this container has going, by Page: a batch (run at once) may carry a Page twice (the
  // schedule's message and a POST /sync's); the second shares the first's run instead of finding its
  // lease held. A full run asked while a plain one runs follows it.
  const running = new Map<string, { full: boolean; run: Promise<PageRunResult> }>();
  const start = (pageId: string, full: boolean, remainingMs: () => number): Promise<PageRunResult> => {
    const before = running.get(pageId);
    if (before !== undefined && (before.full || !full)) return before.run;
    const run = (async () => {
      await before?.run.catch(() => undefined);
      return syncPage(deps, pageId, { remainingMs, ...(full ? { full: true } : {}) });
    })();
    const entry = { full, run };
    running.set(pageId, entry);
    const forget = () => {
      if (running.get(pageId) === entry) running.delete(pageId);
    };
    run.then(forget, forget);
    return run;
  };
  return async (record, context) => {
    const message = parseSyncMessage(record.body);
    if (message === undefined) {
      logger.error('sync message ignored: not a sync work item', { message_id: record.messageId });
      return undefined;
    }
    const remainingMs = () => context.getRemainingTimeInMillis();
    if (remainingMs() < MIN_RUN_MS) throw new SyncTimeUpError('Too little time left for a sync run.');
    try {
      return await start(message.pageId, message.full === true, remainingMs);
    } catch (error: unknown) {
      logger.error('sync run crashed', { page_id: message.pageId, error });
      throw error;
    }
  };
}
