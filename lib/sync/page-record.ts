import { callAsPage } from '../conversations/page-call.js';
import type { SyncSummary } from '../domain/page.js';
import type { PartitionState, RunOutcome } from '../domain/sync-state.js';
import type { RunContext } from './run-context.js';

/**
 * What a run tells the Page registry: the Page's name and Instagram account, read again with one Graph
 * call (the contract has each scheduled sync refresh them), and the run's summary. Neither may fail the
 * run: the conversations are what the run is for, and the next run tries again.
 */

/** Refreshes the Page's name and Instagram account; a Page the registry does not hold is left alone. */
export async function refreshPageProfile(context: RunContext): Promise<void> {
  const { deps, pageId } = context;
  if (deps.registry === undefined || deps.profiles === undefined) return;
  const { registry, profiles } = deps;
  try {
    const record = await registry.find(pageId);
    if (record === undefined) return;
    context.credentials ??= await deps.tokens.get(pageId);
    const { answer } = await callAsPage(deps, pageId, context.credentials, async (used) => {
      await deps.pacer.take(`${pageId}:messenger`);
      context.calls += 1;
      return profiles.pageProfile(used, pageId);
    });
    await registry.register({
      pageId,
      token: record.token,
      ...(answer.name === undefined ? {} : { name: answer.name }),
      ...(answer.instagramAccountId === undefined ? {} : { instagramAccountId: answer.instagramAccountId }),
    });
  } catch (error: unknown) {
    deps.logger.warn('sync could not refresh the page profile', { page_id: pageId, error });
  }
}

/** The run's summary as the registry keeps it; `synced_at` is the least recent of the partitions'. */
export function syncSummary(
  outcome: RunOutcome,
  partitions: readonly Pick<PartitionState, 'syncedAt'>[],
): SyncSummary {
  const times = partitions.map((partition) => partition.syncedAt);
  const complete = times.every((time): time is string => time !== null);
  return {
    status: outcome === 'failed' ? 'failed' : 'idle',
    // ISO instants sort as text: the first is the least recent.
    syncedAt: complete ? [...times].sort()[0] : undefined,
    lastOutcome: outcome,
  };
}

/** Records the run's summary; a failure to write it is logged, not thrown. */
export async function recordSyncSummary(context: RunContext, summary: SyncSummary): Promise<void> {
  const { deps, pageId } = context;
  try {
    await deps.registry?.updateSyncSummary(pageId, summary);
  } catch (error: unknown) {
    deps.logger.warn('sync could not record its summary in the registry', { page_id: pageId, error });
  }
}
