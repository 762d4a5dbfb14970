import { callAsPage } from '../conversations/page-call.js';
import type { PageCredentials } from '../domain/conversation.js';
import type { PageRecord, SyncSummary, WebhookHealth } from '../domain/page.js';
import type { PartitionState, RunOutcome } from '../domain/sync-state.js';
import { checkSubscription } from '../graph/graph-subscriptions.js';
import type { GraphUsage } from '../graph/usage.js';
import type { PageReads } from '../store/page-registry.js';
import type { RunContext } from './run-context.js';

/**
 * What a run tells the Page registry: the Page's name and Instagram account, read again with one Graph
 * call at most once a day (the contract's "refreshed by the scheduled sync at most once a day": a name
 * changes rarely, and a call every run was a fifth of a quiet run's Graph calls), its webhook
 * subscription on the same terms, and the run's summary. Neither may fail the run: the conversations are what the run is for, and the next run tries
 * again.
 */

/** How long a Page's name and Instagram account stand before a run reads them from Graph again. */
export const PROFILE_REFRESH_MS = 24 * 60 * 60 * 1000;

/** How long a Page's webhook subscription, as read, stands before a run reads it again. */
export const WEBHOOK_CHECK_MS = PROFILE_REFRESH_MS;

/**
 * The day's reads of the Page for the registry, each when its own time has come: its name and
 * Instagram account (`profileRefreshedAt`), and, where webhooks are on, its webhook subscription
 * (`webhooks.checkedAt`), one `GET /{page-id}/subscribed_apps` (and one `POST` when
 * `WEBHOOK_AUTO_SUBSCRIBE` renews it). Each is paced and counted like the run's other calls, and none
 * fails the run. A Page the registry does not hold is left alone.
 */
export async function refreshPageProfile(context: RunContext): Promise<void> {
  const { deps, pageId } = context;
  if (deps.registry === undefined) return;
  let record: PageRecord | undefined;
  try {
    record = await deps.registry.find(pageId);
  } catch (error: unknown) {
    deps.logger.warn('sync could not read the page registry', { page_id: pageId, error });
    return;
  }
  if (record === undefined) return;
  const profile = await readProfile(context, record);
  const webhooks = await checkWebhooks(context, record);
  try {
    // One write of the registry item for both: the day's round writes each item under PAGES once.
    await deps.registry.recordReads(pageId, {
      ...(profile === undefined ? {} : { profile }),
      ...(webhooks === undefined ? {} : { webhooks }),
    });
  } catch (error: unknown) {
    deps.logger.warn('sync could not record the page profile', { page_id: pageId, error });
  }
}

/** One Graph call of the day's reads: paced like the run's, counted in its calls, the token re-read once. */
async function callForRegistry<T extends { usage: GraphUsage }>(
  context: RunContext,
  call: (credentials: PageCredentials) => Promise<T>,
): Promise<T> {
  const { deps, pageId } = context;
  context.credentials ??= await deps.tokens.get(pageId);
  const { answer } = await callAsPage(deps, pageId, context.credentials, async (used) => {
    await deps.pacer.take(`${pageId}:messenger`);
    context.calls += 1;
    return call(used);
  });
  return answer;
}

/** The name and Instagram account, when a day old or never read by a run; undefined when not read. */
async function readProfile(context: RunContext, record: PageRecord): Promise<PageReads['profile']> {
  const { deps, pageId } = context;
  if (deps.profiles === undefined) return undefined;
  const { profiles } = deps;
  const now = deps.now();
  if (now.getTime() - Date.parse(record.profileRefreshedAt ?? '') < PROFILE_REFRESH_MS) return undefined;
  try {
    const answer = await callForRegistry(context, (used) => profiles.pageProfile(used, pageId));
    return {
      refreshedAt: now.toISOString(),
      name: answer.name,
      instagramAccountId: answer.instagramAccountId,
    };
  } catch (error: unknown) {
    deps.logger.warn('sync could not refresh the page profile', { page_id: pageId, error });
    return undefined;
  }
}

/**
 * The webhook subscription, when a day old or never read: what it is (`unknown` when the read failed,
 * so that a token without the permission costs one call a day, not one a run); undefined when not due.
 */
async function checkWebhooks(context: RunContext, record: PageRecord): Promise<WebhookHealth | undefined> {
  const { deps, pageId } = context;
  const { subscriptions } = deps;
  if (subscriptions === undefined) return undefined;
  const now = deps.now();
  if (now.getTime() - Date.parse(record.webhooks?.checkedAt ?? '') < WEBHOOK_CHECK_MS) return undefined;
  try {
    const check = await checkSubscription(
      {
        read: async () =>
          (await callForRegistry(context, (used) => subscriptions.webhookSubscription(used, pageId))).fields,
        subscribe: async (fields) => {
          await callForRegistry(context, (used) => subscriptions.subscribeWebhooks(used, pageId, fields));
        },
      },
      { autoSubscribe: deps.webhookAutoSubscribe === true, now },
    );
    const facts = { page_id: pageId, status: check.health.status, fields: check.health.fields.join(',') };
    if (check.resubscribed) deps.logger.info('webhook subscription renewed', facts);
    else if (check.health.status !== 'subscribed')
      deps.logger.warn('webhook subscription missing', { ...facts, problem: check.problem });
    return check.health;
  } catch (error: unknown) {
    deps.logger.warn('sync could not check the webhook subscription', { page_id: pageId, error });
    return undefined;
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
