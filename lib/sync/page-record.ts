import { callAsPage } from '../conversations/page-call.js';
import type { SyncSummary } from '../domain/page.js';
import type { PartitionState, RunOutcome } from '../domain/sync-state.js';
import type { RunContext } from './run-context.js';

/**
 * What a run tells the Page registry: the Page's name and Instagram account, read again with one Graph
 * call at most once a day (the contract's "refreshed by the scheduled sync at most once a day": a name
 * changes rarely, and a call every run was a fifth of a quiet run's Graph calls), and the run's
 * summary. Neither may fail the run: the conversations are what the run is for, and the next run tries
 * again.
 */

/** How long a Page's name and Instagram account stand before a run reads them from Graph again. */
export const PROFILE_REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Refreshes the Page's name and Instagram account when the registry's copy is a day old or older (or
 * was never refreshed by a run), and records when; a Page the registry does not hold is left alone.
 */
export async function refreshPageProfile(context: RunContext): Promise<void> {
  const { deps, pageId } = context;
  if (deps.registry === undefined || deps.profiles === undefined) return;
  const { registry, profiles } = deps;
  try {
    const record = await registry.find(pageId);
    if (record === undefined) return;
    const now = deps.now();
    const refreshedAt = Date.parse(record.profileRefreshedAt ?? '');
    if (now.getTime() - refreshedAt < PROFILE_REFRESH_MS) return;
    context.credentials ??= await deps.tokens.get(pageId);
    const { answer } = await callAsPage(deps, pageId, context.credentials, async (used) => {
      await deps.pacer.take(`${pageId}:messenger`);
      context.calls += 1;
      return profiles.pageProfile(used, pageId);
    });
    await registry.register({
      pageId,
      token: record.token,
      profileRefreshedAt: now.toISOString(),
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
