import type { Logger } from '../telemetry/logger.js';
import { type PageRunResult, type SyncDependencies, syncPage } from './page-run.js';
import { parseSyncMessage } from './sync-queue.js';

export interface QueuedRecord {
  messageId: string;
  body: string;
}

export interface WorkerOutcome {
  /** Messages to be delivered again: SQS's partial batch response. */
  failedMessageIds: string[];
  results: PageRunResult[];
}

/** Below this, a run could not even take its lease, call Graph once and write back. */
const MIN_RUN_MS = 20_000;

/**
 * Runs one batch of the fan-out queue, a page at a time, sharing the invocation's time. What Graph does
 * wrong is recorded in the page's sync state and waits for the next schedule; only our own faults
 * (DynamoDB unreachable, a lease lost mid-run) and pages left for lack of time go back to the queue.
 */
export async function handleSyncMessages(
  deps: SyncDependencies,
  records: readonly QueuedRecord[],
  remainingMs: () => number,
  logger: Logger,
): Promise<WorkerOutcome> {
  const failedMessageIds: string[] = [];
  const results: PageRunResult[] = [];
  for (const record of records) {
    const message = parseSyncMessage(record.body);
    if (message === undefined) {
      // Redelivering a message that can never parse would only end in the dead-letter queue later.
      logger.error('sync message ignored: not a sync work item', { message_id: record.messageId });
      continue;
    }
    if (remainingMs() < MIN_RUN_MS) {
      failedMessageIds.push(record.messageId);
      continue;
    }
    try {
      results.push(await syncPage(deps, message.pageId, { remainingMs }));
    } catch (error: unknown) {
      logger.error('sync run crashed', {
        page_id: message.pageId,
        error,
      });
      failedMessageIds.push(record.messageId);
    }
  }
  return { failedMessageIds, results };
}
