import type { Logger } from '../telemetry/logger.js';
import { type RefreshDependencies, type RefreshOutcome, refreshConversation } from './refresh.js';
import { parseRefreshRequest, type RefreshQueue, type RefreshRequest } from './refresh-request.js';

export interface QueuedRefresh {
  messageId: string;
  body: string;
}

export interface RefreshWorkerOutcome {
  /** Messages to be delivered again (SQS's partial batch response): our own faults only. */
  failedMessageIds: string[];
  outcomes: RefreshOutcome[];
}

/**
 * Runs a batch of refresh requests, one at a time (the pacing spaces them anyway). A request that must
 * wait (a refresh in flight, a throttled page) is sent back to the queue with its delay and the same
 * id and time of receipt, and its message counts as done; only our own faults fail a message, so the
 * queue's redelivery and dead-letter queue are about this deployment, never about Graph.
 */
export async function handleRefreshMessages(
  deps: RefreshDependencies,
  queue: RefreshQueue,
  records: readonly QueuedRefresh[],
  logger: Logger,
): Promise<RefreshWorkerOutcome> {
  const failedMessageIds: string[] = [];
  const outcomes: RefreshOutcome[] = [];
  for (const record of records) {
    const request = parseRefreshRequest(record.body);
    if (request === undefined) {
      logger.error('refresh message ignored: not a refresh request', { message_id: record.messageId });
      continue;
    }
    try {
      outcomes.push(await runRefresh(deps, queue, request));
    } catch (error: unknown) {
      logger.error('webhook refresh crashed', { message_id: record.messageId, error });
      failedMessageIds.push(record.messageId);
    }
  }
  return { failedMessageIds, outcomes };
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
