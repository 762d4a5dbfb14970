import type { Logger } from '../telemetry/logger.js';
import { type RefreshDependencies, type RefreshOutcome, refreshConversation } from './refresh.js';
import { parseRefreshRequest, type RefreshQueue, type RefreshRequest } from './refresh-request.js';

/** What the worker reads of a queue message (Lambda's `SQSRecord`); a type, as in `sync/worker.ts`. */
export type QueuedRefresh = { messageId: string; body: string };

/**
 * How Powertools' batch processor runs the refresh queue's messages: all of a batch at once. The
 * event source's batch size bounds that (5; `WorkQueue` refuses more than 10), and each Graph call
 * still waits for its Page's slot in the pacing store, which spaces calls per account across records
 * and containers alike; a batch took the sum of its refreshes one at a time, and now the longest. A
 * batch that failed whole is answered as any partial failure rather than thrown (the processor's
 * default), as before.
 */
export const REFRESH_BATCH_OPTIONS = { processInParallel: true, throwOnFullBatchFailure: false } as const;

/**
 * The refresh queue's record handler, for Powertools' `processPartialResponse`. A request that must
 * wait (a refresh in flight, a throttled Page) is sent back to the queue with its delay and the same id
 * and time of receipt, and its message counts as done; only our own faults throw, so the queue's
 * redelivery and dead-letter queue are about this deployment, never about Graph. A message that is not
 * a refresh request is logged and done: it would never parse on redelivery either.
 */
export function createRefreshRecordHandler(
  deps: RefreshDependencies,
  queue: RefreshQueue,
  logger: Logger,
): (record: QueuedRefresh) => Promise<RefreshOutcome | undefined> {
  return async (record) => {
    const request = parseRefreshRequest(record.body);
    if (request === undefined) {
      logger.error('refresh message ignored: not a refresh request', { message_id: record.messageId });
      return undefined;
    }
    try {
      return await runRefresh(deps, queue, request);
    } catch (error: unknown) {
      logger.error('webhook refresh crashed', { message_id: record.messageId, error });
      throw error;
    }
  };
}

/** One request: refreshed, dropped, or sent back to the queue to wait. */
export async function runRefresh(
  deps: RefreshDependencies,
  queue: RefreshQueue,
  request: RefreshRequest,
): Promise<RefreshOutcome> {
  const outcome = await refreshConversation(deps, request);
  if (outcome.status === 'deferred') await queue.send([request], outcome.delayMs);
  return outcome;
}
