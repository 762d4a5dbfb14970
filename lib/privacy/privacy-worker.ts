import type { Logger } from '../telemetry/logger.js';
import { type DeletionWorkDependencies, runDataDeletion } from './data-deletion.js';
import { type ExpiryDependencies, expireFolder } from './expiry.js';
import { type PrivacyJob, parsePrivacyJob } from './jobs.js';

/** What the erasure function's queue worker needs: the erasure's and the expiry's collaborators. */
export type PrivacyWorkDependencies = DeletionWorkDependencies & ExpiryDependencies;

/** What the worker reads of a queue message (Lambda's `SQSRecord`). */
export type QueuedJob = { messageId: string; body: string };

/** Runs one job. Throws our own faults, for the queue to deliver it again (every job may run twice). */
export async function runPrivacyJob(deps: PrivacyWorkDependencies, job: PrivacyJob): Promise<void> {
  if (job.kind === 'data-deletion') {
    await runDataDeletion(deps, job);
    return;
  }
  const { pageId, platform, folder } = job;
  const swept = await expireFolder(deps, { pageId, platform, folder });
  if (swept.removed > 0)
    deps.logger.info('conversations expired', { page_id: pageId, platform, folder, removed: swept.removed });
}

/**
 * The queue's record handler, for Powertools' `processPartialResponse`. A message that is not a job is
 * logged (by its message id: a body may hold an id) and done: it would never parse on redelivery.
 */
export function createPrivacyJobHandler(
  deps: PrivacyWorkDependencies,
  logger: Logger,
): (record: QueuedJob) => Promise<void> {
  return async (record) => {
    const job = parsePrivacyJob(record.body);
    if (job === undefined) {
      logger.error('privacy job ignored: not a job', { message_id: record.messageId });
      return;
    }
    try {
      await runPrivacyJob(deps, job);
    } catch (error: unknown) {
      logger.error('privacy job failed; the queue runs it again', {
        message_id: record.messageId,
        kind: job.kind,
        error,
      });
      throw error;
    }
  };
}
