import { forEachLimited } from '../domain/concurrency.js';
import { PageTokenInvalidError } from '../domain/errors.js';
import { secretVersionOf, tokenHealthError } from '../domain/page.js';
import type { GraphClient } from '../graph/graph-client.js';
import type { SubscriptionCheck, SubscriptionGraph } from '../graph/graph-subscriptions.js';
import type { PageRegistry } from '../store/page-registry.js';
import type { TokenSource } from '../tokens/token-source.js';
import { readSubscription, type WebhookCheckOptions } from './subscription-health.js';

export interface CheckDependencies {
  registry: PageRegistry;
  /** Registry-aware: reads each Page's token where the registry says it lives. */
  tokens: TokenSource;
  graph: Pick<GraphClient, 'pageProfile'> & SubscriptionGraph;
  /** Also read each Page's webhook subscription (`subscription-health.ts`); not without it. */
  webhooks?: WebhookCheckOptions | undefined;
  /** The clock of `webhooks.checked_at`; the system's by default. */
  now?: () => Date;
}

export interface CheckRow {
  pageId: string;
  name: string | undefined;
  instagramAccountId: string | undefined;
  status: 'valid' | 'invalid' | 'unreachable';
  /** The reason, for an invalid token; what failed, for one that could not be checked. */
  detail: string | undefined;
  /** The webhook subscription, for a Page whose token is valid, when checked. */
  webhooks: SubscriptionCheck | undefined;
}

/**
 * Each token's health now, with one Graph call per Page (`GET /{page-id}?fields=name,
 * instagram_business_account`), which also refreshes the Page's name and Instagram account; with
 * `webhooks`, one more for its webhook subscription (recorded, and renewed when `autoSubscribe`). The token is
 * read past every cache and past a recorded rejection: checking is how an operator confirms a fix.
 */
export async function checkPages(
  deps: CheckDependencies,
  pageIds: readonly string[],
  progress?: (done: number, total: number) => void,
): Promise<CheckRow[]> {
  const rows = new Map<string, CheckRow>();
  let done = 0;
  await forEachLimited(pageIds, 8, async (pageId) => {
    rows.set(pageId, await checkPage(deps, pageId));
    progress?.(++done, pageIds.length);
  });
  return pageIds.flatMap((pageId) => rows.get(pageId) ?? []);
}

async function checkPage(deps: CheckDependencies, pageId: string): Promise<CheckRow> {
  const record = await deps.registry.get(pageId);
  const row: CheckRow = {
    pageId,
    name: record?.name,
    instagramAccountId: record?.instagramAccountId,
    status: 'unreachable',
    detail: undefined,
    webhooks: undefined,
  };
  if (record === undefined) return { ...row, detail: 'not registered' };
  let credentials: Awaited<ReturnType<TokenSource['reload']>>;
  try {
    credentials = await deps.tokens.reload(pageId);
  } catch (error: unknown) {
    return { ...row, detail: error instanceof Error ? error.message : 'its token cannot be read' };
  }
  try {
    // With the Page's app secret when it has one: the call carries `appsecret_proof`, as the sync's do.
    const { name, instagramAccountId } = await deps.graph.pageProfile(credentials, pageId);
    const profile = { name, instagramAccountId };
    const webhooks =
      deps.webhooks === undefined
        ? undefined
        : await readSubscription(deps, pageId, credentials, deps.webhooks);
    // One write of both reads; the profile counts as the day's, so the Page's next run does not read it
    // again.
    const refreshedAt = (deps.now ?? (() => new Date()))().toISOString();
    await deps.registry.recordReads(pageId, {
      profile: { ...profile, refreshedAt },
      ...(webhooks === undefined ? {} : { webhooks: webhooks.health }),
    });
    await deps.registry.markTokenValid(pageId);
    return { ...row, ...profile, status: 'valid', webhooks };
  } catch (error: unknown) {
    if (!(error instanceof PageTokenInvalidError)) {
      return { ...row, detail: error instanceof Error ? error.message : 'Graph failed' };
    }
    const health = tokenHealthError(error);
    await deps.registry.markTokenInvalid(pageId, health, secretVersionOf(credentials));
    return {
      ...row,
      status: 'invalid',
      detail: `${health.reason} (Graph ${health.graph.code}/${health.graph.error_subcode ?? '-'})`,
    };
  }
}
