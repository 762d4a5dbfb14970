import type { ConversationsGraph } from '../conversations/list-conversations.js';
import { callAsPage, type PageCallDependencies, refuseIfThrottled } from '../conversations/page-call.js';
import { conversationDefect } from '../domain/conversation.js';
import { isProductError } from '../domain/error-body.js';
import { RateLimitedError, UnavailableError, UnknownPageError } from '../domain/errors.js';
import { type Folder, indexedFieldsOf, type Platform } from '../domain/vocabulary.js';
import type { GraphUsage } from '../graph/usage.js';
import type { ConversationIndex } from '../store/conversation-index.js';
import type { TokenHealthRecorder } from '../store/page-registry.js';
import type { RefreshKey, RefreshStore } from '../store/refresh-store.js';
import type { Logger } from '../telemetry/logger.js';
import { METRIC_NAMES } from '../telemetry/metric-names.js';
import { NO_METRICS } from '../telemetry/product-metrics.js';
import type { RefreshRequest } from './refresh-request.js';

/** Maps an Instagram professional account to its Page: the Page registry (`pageIdForInstagramAccount`). */
export interface InstagramAccountLookup {
  pageIdForInstagramAccount(instagramAccountId: string): Promise<string | undefined>;
}

/** Graph calls spaced per account across containers (`CallPacingStore`), or within one (`Pacer`). */
export interface CallPacer {
  take(account: string): Promise<void>;
  observe(account: string, usage: GraphUsage): void | Promise<void>;
}

export interface RefreshDependencies extends PageCallDependencies {
  graph: ConversationsGraph;
  index: Pick<ConversationIndex, 'write' | 'emitPendingEvents'>;
  refreshes: RefreshStore;
  pacer: CallPacer;
  /** The Page registry: maps an Instagram account to its Page, and is told of token rejections. */
  registry: InstagramAccountLookup & TokenHealthRecorder;
  logger: Logger;
  /** The sync's configuration: the refresh searches the same platforms and folders, in this order. */
  platforms: readonly Platform[];
  folders: readonly Folder[];
}

export type RefreshOutcome =
  /** Nothing to refresh: an unknown Page or account, or a platform the sync does not index. */
  | { status: 'ignored'; reason: string }
  /** A refresh that started after the request covers it. */
  | { status: 'covered' }
  /** To be delivered again after `delayMs`: a refresh is in flight, or Graph throttles the page. */
  | { status: 'deferred'; delayMs: number }
  /** Graph failed for a reason a retry does not fix soon: left to the next scheduled run. */
  | { status: 'failed'; error: unknown; graphCalls: number }
  | { status: 'refreshed'; folder: Folder | undefined; changed: number; graphCalls: number };

/** How long a request waits for the refresh in flight before it tries again. */
export const FOLLOW_UP_DELAY_MS = 1_000;
/** Each user has one conversation per Page and platform; a few more cost nothing and lose nothing. */
const REFRESH_LIMIT = 5;

/**
 * Refreshes the one conversation a webhook named: `GET /{page-id}/conversations?platform=…&user_id=…`
 * per configured folder until found, paced and backed off like the sync, coalesced per conversation
 * (`RefreshStore`), written through the index, which moves the folder counters and emits the change
 * event. The sync's `synced_at` and high-water marks are not touched: the scheduled run stays the
 * reconciliation for what webhooks miss.
 * Throws only our own faults (DynamoDB), for the queue to deliver the request again. Counts each
 * refresh by outcome, and the conversations it changed.
 */
export async function refreshConversation(
  deps: RefreshDependencies,
  request: RefreshRequest,
): Promise<RefreshOutcome> {
  const metrics = deps.metrics ?? NO_METRICS;
  let outcome: RefreshOutcome;
  try {
    outcome = await refreshOnce(deps, request);
  } catch (error: unknown) {
    metrics.count(METRIC_NAMES.webhookRefreshes, 1, { Outcome: 'error' });
    throw error;
  }
  metrics.count(METRIC_NAMES.webhookRefreshes, 1, { Outcome: outcome.status });
  if (outcome.status === 'refreshed') metrics.count(METRIC_NAMES.conversationsChanged, outcome.changed);
  return outcome;
}

async function refreshOnce(deps: RefreshDependencies, request: RefreshRequest): Promise<RefreshOutcome> {
  const platform: Platform = request.object === 'instagram' ? 'instagram' : 'messenger';
  if (!deps.platforms.includes(platform)) return { status: 'ignored', reason: `${platform} is not indexed` };
  const pageId =
    request.object === 'page'
      ? request.accountId
      : await deps.registry.pageIdForInstagramAccount(request.accountId);
  if (pageId === undefined) return { status: 'ignored', reason: 'unknown Instagram account' };
  let credentials: Awaited<ReturnType<typeof deps.tokens.get>>;
  try {
    credentials = await deps.tokens.get(pageId);
  } catch (error: unknown) {
    if (error instanceof UnknownPageError) return { status: 'ignored', reason: 'unknown Page' };
    throw error;
  }
  const key: RefreshKey = { pageId, platform, personId: request.personId };
  const startedAt = deps.now().getTime();
  const claim = await deps.refreshes.claim(key, request, startedAt);
  if (claim === 'covered') return { status: 'covered' };
  if (claim === 'busy') {
    const booked = await deps.refreshes.bookFollowUp(key, request.id, startedAt);
    return booked ? { status: 'deferred', delayMs: FOLLOW_UP_DELAY_MS } : { status: 'covered' };
  }
  let graphCalls = 0;
  let read = false;
  try {
    await refuseIfThrottled(deps.backoff, pageId, deps.now(), deps.metrics);
    await emitLeftoverEvents(deps, pageId);
    const account = `${pageId}:${platform}`;
    for (const folder of deps.folders) {
      const { answer } = await callAsPage(deps, pageId, credentials, async (used) => {
        await deps.pacer.take(account);
        graphCalls += 1;
        const page = await deps.graph.listConversations(used, {
          pageId,
          platform,
          folder,
          userId: request.personId,
          limit: REFRESH_LIMIT,
          fields: indexedFieldsOf(platform),
        });
        await deps.pacer.observe(account, page.usage);
        return page;
      });
      const found = answer.data.filter((item) => conversationDefect(item) === undefined);
      if (found.length === 0) continue;
      read = true;
      const changes = await deps.index.write({ pageId, platform, folder }, found);
      return { status: 'refreshed', folder, changed: changes.length, graphCalls };
    }
    read = true;
    return { status: 'refreshed', folder: undefined, changed: 0, graphCalls };
  } catch (error: unknown) {
    if (error instanceof RateLimitedError) {
      return { status: 'deferred', delayMs: Math.max(0, error.retryAt.getTime() - deps.now().getTime()) };
    }
    // Our own store or secrets not answering is transient and ours: the queue runs the request again.
    if (!isProductError(error) || error instanceof UnavailableError) throw error;
    deps.logger.warn('webhook refresh failed; left to the scheduled sync', { page_id: pageId, error });
    return { status: 'failed', error, graphCalls };
  } finally {
    await deps.refreshes.release(key, startedAt, { read });
  }
}

/** A refresh of a page is also where a dead writer's pending change events of that page go out. */
async function emitLeftoverEvents(deps: RefreshDependencies, pageId: string): Promise<void> {
  try {
    await deps.index.emitPendingEvents(pageId);
  } catch (error: unknown) {
    // The refresh itself can still succeed; the next run or refresh of the page tries again.
    deps.logger.warn('pending change events not recovered', { page_id: pageId, error });
  }
}
