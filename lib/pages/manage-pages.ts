import { forEachLimited } from '../domain/concurrency.js';
import { ConfigurationError, InvalidRequestError, UnknownPageError } from '../domain/errors.js';
import { isPageId } from '../domain/vocabulary.js';
import type { GraphApp } from '../graph/graph-accounts.js';
import type { SubscriptionCheck } from '../graph/graph-subscriptions.js';
import type { PageRegistry, RegistrationOutcome } from '../store/page-registry.js';
import type { PageCredentials, TokenSource } from '../tokens/token-source.js';
import type { OnboardingDependencies } from './connect.js';
import { type CheckRow, checkPages } from './page-health.js';
import { recordSubscription, type WebhookCheckOptions } from './subscription-health.js';
import { debugAsker, expiryProblem, LASTING_TOKENS_ADVICE, requirePageToken } from './token-check.js';

function requirePageId(pageId: string): void {
  if (!isPageId(pageId)) throw new InvalidRequestError('pageId', `"${pageId}" is not a Page id (digits).`);
}

export interface AddOptions {
  shared?: boolean;
  /** With the app, the token is debugged with the app token and its calls carry `appsecret_proof`. */
  app?: GraphApp | undefined;
  /** Store a Page token that expires within `MIN_TOKEN_DAYS` (refused otherwise). */
  allowExpiringTokens?: boolean;
  /** Read the Page's webhook subscription once registered (and renew it when `autoSubscribe`). */
  webhooks?: WebhookCheckOptions | undefined;
  now?: () => Date;
}

export interface AddResult {
  outcome: RegistrationOutcome;
  /** A newly registered Page's first sync: how it was started, or why it was not; undefined when none was due. */
  firstSync: string | undefined;
  /** Set when an expiring token was stored because that was allowed. */
  warning: string | undefined;
  /** The webhook subscription as registration found it (and renewed it), when checked. */
  webhooks: SubscriptionCheck | undefined;
}

/**
 * `add <pageId>`: one Page from its Page token. The token is checked first (`GET /debug_token`: a Page
 * token, this Page's, valid, lasting; then `GET /{page-id}`), so a wrong token or Page id stores and
 * registers nothing. With `webhooks`, the registered Page's subscription is read and recorded.
 */
export async function addPage(
  deps: OnboardingDependencies,
  pageId: string,
  given: PageCredentials,
  options: AddOptions = {},
): Promise<AddResult> {
  requirePageId(pageId);
  const credentials: PageCredentials =
    options.app && given.appSecret === undefined ? { ...given, appSecret: options.app.secret } : given;
  const info = await deps.graph.debugToken(
    credentials.accessToken,
    debugAsker(credentials.accessToken, 'page', options.app),
  );
  requirePageToken(info, pageId);
  const expiring = expiryProblem(info.expiresAt, (options.now ?? (() => new Date()))());
  if (expiring !== undefined && options.allowExpiringTokens !== true) {
    throw new ConfigurationError(`Page ${pageId} was not added: ${expiring}. ${LASTING_TOKENS_ADVICE}`);
  }
  const { name, instagramAccountId } = await deps.graph.pageProfile(credentials, pageId);
  const stored = (
    await deps.vault.store(new Map([[pageId, credentials]]), { shared: options.shared === true })
  ).get(pageId);
  if (stored === undefined) throw new Error(`The token of Page ${pageId} was not stored.`);
  const outcome = await deps.registry.register({
    pageId,
    name,
    instagramAccountId,
    token: stored.location,
    tokenChanged: stored.outcome === 'updated',
  });
  await deps.registry.markTokenValid(pageId);
  const webhooks =
    options.webhooks === undefined
      ? undefined
      : await recordSubscription({ ...deps, now: options.now }, pageId, credentials, options.webhooks);
  let firstSync: string | undefined;
  if (outcome === 'created' && deps.startSync !== undefined) {
    try {
      firstSync = await deps.startSync(pageId);
    } catch (error: unknown) {
      firstSync = `not started: ${error instanceof Error ? error.message.slice(0, 200) : 'failed'}`;
    }
  }
  return {
    outcome: stored.outcome !== 'unchanged' && outcome === 'unchanged' ? 'updated' : outcome,
    firstSync,
    warning: expiring === undefined ? undefined : `stored although ${expiring}`,
    webhooks,
  };
}

/** `remove <pageId>`: unregisters the Page and deletes its token (a shared secret keeps the others'). */
export async function removePage(
  deps: Pick<OnboardingDependencies, 'registry' | 'vault'>,
  pageId: string,
): Promise<void> {
  requirePageId(pageId);
  const record = await deps.registry.get(pageId);
  if (record === undefined) throw new UnknownPageError(pageId);
  await deps.vault.remove(pageId, record.token);
  await deps.registry.remove(pageId);
}

/**
 * `import`: registers the Pages whose tokens already exist (secrets under the prefix, shared secrets, or
 * the local file), then checks each new one, which fills in its name and Instagram account (and, with
 * `webhooks`, its webhook subscription). The one
 * place that lists secrets, run with the operator's credentials.
 */
export async function importPages(
  deps: Pick<OnboardingDependencies, 'registry' | 'vault' | 'graph' | 'progress'> & {
    tokens: TokenSource;
    webhooks?: WebhookCheckOptions | undefined;
  },
): Promise<{ imported: CheckRow[]; alreadyRegistered: number }> {
  const stored = await deps.vault.storedPageIds();
  const imported: string[] = [];
  for (const { pageId, location } of stored) {
    if ((await deps.registry.get(pageId)) !== undefined) continue;
    await deps.registry.register({ pageId, token: location });
    imported.push(pageId);
  }
  const rows = await checkPages(deps, imported, (done, total) => deps.progress?.(done, total, 'checking'));
  return { imported: rows, alreadyRegistered: stored.length - imported.length };
}

/** Registrations in flight at once at the local start: enough to overlap the store's round trips. */
const REGISTER_CONCURRENCY = 8;

/**
 * The local runtime's start: every Page of `PAGE_TOKENS_FILE` (or the demo's) is registered (a Page
 * already registered is left as it is). The Graph check of each (`checkPages`: name, Instagram account,
 * token health) is the caller's to run, after the API listens.
 */
export async function registerLocalPages(
  deps: { registry: PageRegistry },
  pageIds: readonly string[],
): Promise<void> {
  await forEachLimited(pageIds, REGISTER_CONCURRENCY, async (pageId) => {
    await deps.registry.register({ pageId, token: { kind: 'page-secret' } });
  });
}
