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
 * How Powertools' batch processor runs the fan-out queue's messages: one after another, since a run
 * takes minutes, shares the invocation's time and is itself paced (the queue hands one at a time
 * anyway). A batch that failed whole is answered as any partial failure, every message listed, rather
 * than thrown as an invocation error (the processor's default): with one message a batch, every
 * failure would otherwise be one.
 */
export const SYNC_BATCH_OPTIONS = { processInParallel: false, throwOnFullBatchFailure: false } as const;

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
  return async (record, context) => {
    const message = parseSyncMessage(record.body);
    if (message === undefined) {
      logger.error('sync message ignored: not a sync work item', { message_id: record.messageId });
      return undefined;
    }
    const remainingMs = () => context.getRemainingTimeInMillis();
    if (remainingMs() < MIN_RUN_MS) throw new SyncTimeUpError('Too little time left for a sync run.');
    try {
      return await syncPage(deps, message.pageId, { remainingMs, ...(message.full ? { full: true } : {}) });
    } catch (error: unknown) {
      logger.error('sync run crashed', { page_id: message.pageId, error });
      throw error;
    }
  };
}
