import { forEachLimited } from '../domain/concurrency.js';
import { WEBHOOK_FIELDS } from '../domain/shapes/pages.js';
import type { GraphAccountsClient, GraphApp, ManagedPage } from '../graph/graph-accounts.js';
import type { PageRegistry, RegistrationOutcome } from '../store/page-registry.js';
import { useSharedSecrets } from '../tokens/shared-secret.js';
import type { PageCredentials } from '../tokens/token-source.js';
import { eligibility } from './eligibility.js';
import { recordSubscription } from './subscription-health.js';
import {
  checkPageToken,
  debugAsker,
  impliedPageTokenExpiry,
  type PageTokenCheckOptions,
  requireUserToken,
} from './token-check.js';
import type { StoredToken, TokenVault } from './token-vault.js';

export interface OnboardingDependencies {
  registry: PageRegistry;
  vault: TokenVault;
  graph: GraphAccountsClient;
  /**
   * Starts a newly registered Page's first sync and says how (`started`, `queued`); throws, with the
   * reason, when it did not. Absent: the next scheduled sync picks the Page up.
   */
  startSync?: (pageId: string) => Promise<string>;
  progress?: (done: number, total: number, what: string) => void;
}

export interface ConnectOptions {
  /** Read from a file or standard input, never from the command line. */
  userToken: string;
  /** With the app's id and secret, the token is first exchanged for a long-lived one. */
  app?: GraphApp | undefined;
  /**
   * Where new Pages' tokens go: forced into shared secrets or one secret each; by default shared when
   * more than `SHARED_SECRETS_ABOVE_PAGES` Pages are stored. A Page registered with its own secret keeps
   * it unless `shared` is forced.
   */
  secrets?: 'shared' | 'per-page' | undefined;
  /** Lists what would be done, writing nothing (Graph is read all the same). */
  dryRun?: boolean;
  /**
   * Subscribe each eligible Page to the app's webhooks (`POST /{page-id}/subscribed_apps`): set when
   * this deployment receives webhooks. Meta answers the same call again with success, so re-running is
   * safe; a Page whose subscription fails is registered all the same and says so.
   */
  subscribeWebhooks?: boolean;
  /** Store Page tokens that expire within `MIN_TOKEN_DAYS` (they are refused otherwise). */
  allowExpiringTokens?: boolean;
  now?: () => Date;
}

/** The webhook fields whose events name a conversation: declared with the Page's `webhooks` shape. */
export { WEBHOOK_FIELDS };

export type ConnectAction =
  | 'registered'
  | 'updated'
  | 'unchanged'
  | 'skipped'
  | 'refused'
  | 'would register'
  | 'would update';

export interface ConnectRow {
  pageId: string;
  name: string | undefined;
  instagramAccountId: string | undefined;
  action: ConnectAction;
  /** What the user must still grant for this Page; why a skipped or refused Page was left out; notes. */
  missing: string[];
  /** When its Page token expires, as `debug_token` says; undefined: never, or not checked. */
  tokenExpiresAt: Date | undefined;
  /** Where its token is stored (or would be, in a dry run). */
  storedIn: string | undefined;
  /** A newly registered Page's first sync: how it was started, or why it was not. */
  firstSync: string | undefined;
}

export interface ConnectReport {
  rows: ConnectRow[];
  /** Whether new Pages' tokens went (or would go) into shared secrets. */
  shared: boolean;
  /** The user token connect worked with, when the exchange made a long-lived one: when it expires. */
  exchanged: { expiresAt: Date | undefined } | undefined;
  syncsStarted: number;
  /** First syncs that did not start, each with its reason in its row. */
  syncsFailed: number;
}

/**
 * `npm run pages -- connect`: the user token is exchanged for a long-lived one when the app is given and
 * checked (`GET /debug_token`: a user token, valid, and its grants); every Page it manages is checked
 * (the grants, the Page's tasks, and its Page token's own `debug_token`: a token that expires within a
 * week is refused unless allowed), its token stored, the Page registered, and a newly registered Page's
 * first sync started, each answer checked. Re-running is safe: an unchanged token is not rewritten, an
 * unchanged Page not re-registered.
 */
export async function connectPages(
  deps: OnboardingDependencies,
  options: ConnectOptions,
): Promise<ConnectReport> {
  const now = options.now ?? (() => new Date());
  const { app } = options;
  const exchanged = app ? await deps.graph.exchangeUserToken(options.userToken, app) : undefined;
  const userToken = exchanged?.accessToken ?? options.userToken;
  const grants = await deps.graph.debugToken(userToken, debugAsker(userToken, 'user', app));
  requireUserToken(grants);
  const managed: ManagedPage[] = [];
  const user = app ? { accessToken: userToken, appSecret: app.secret } : { accessToken: userToken };
  for await (const batch of deps.graph.managedPages(user)) {
    managed.push(...batch);
    deps.progress?.(managed.length, managed.length, 'listing Pages');
  }
  const rows = new Map<string, ConnectRow>();
  const eligible: ManagedPage[] = [];
  for (const page of managed) {
    const verdict = eligibility(page, grants);
    rows.set(page.id, {
      pageId: page.id,
      name: page.name,
      instagramAccountId: page.instagramAccountId,
      action: 'skipped',
      missing: verdict.missing,
      tokenExpiresAt: undefined,
      storedIn: undefined,
      firstSync: undefined,
    });
    if (verdict.eligible && page.accessToken !== undefined) eligible.push(page);
  }
  const row = (pageId: string) => rows.get(pageId) as ConnectRow;
  const tokens = await checkTokens(deps, eligible, row, {
    app,
    allowExpiring: options.allowExpiringTokens === true,
    now: now(),
    implied: impliedPageTokenExpiry(grants, now()),
    ask: true,
  });
  const shared = useSharedSecrets(tokens.size, options.secrets);
  const groups = await secretGroups(deps.registry, [...tokens.keys()], shared, options.secrets === 'shared');
  const report = { rows: [...rows.values()], shared, exchanged, syncsStarted: 0, syncsFailed: 0 };
  const stored = new Map<string, StoredToken>();
  if (!options.dryRun) deps.progress?.(0, tokens.size, 'storing tokens');
  for (const [groupShared, pageIds] of groups) {
    const group = new Map(pageIds.map((pageId) => [pageId, tokens.get(pageId) as PageCredentials]));
    const placed = options.dryRun
      ? await deps.vault.plan(group, { shared: groupShared })
      : await deps.vault.store(group, { shared: groupShared });
    for (const [pageId, token] of placed) stored.set(pageId, token);
  }
  for (const [pageId, token] of stored) row(pageId).storedIn = deps.vault.where(pageId, token.location);
  if (options.dryRun) {
    await forEachLimited([...stored.keys()], 8, async (pageId) => {
      const registered = (await deps.registry.get(pageId)) !== undefined;
      const unchanged = registered && stored.get(pageId)?.outcome === 'unchanged';
      row(pageId).action = unchanged ? 'unchanged' : registered ? 'would update' : 'would register';
    });
    return report;
  }
  const created = await registerAll(deps, eligible, stored, row);
  if (options.subscribeWebhooks === true)
    await subscribeAll({ ...deps, now: options.now }, eligible, tokens, row);
  if (deps.startSync !== undefined) {
    for (const pageId of created.sort()) {
      try {
        row(pageId).firstSync = await deps.startSync(pageId);
        report.syncsStarted++;
      } catch (error: unknown) {
        row(pageId).firstSync =
          `not started: ${error instanceof Error ? error.message.slice(0, 200) : 'failed'}`;
        report.syncsFailed++;
      }
    }
  }
  return report;
}

/** Each eligible Page's token, checked with `debug_token`; a refused one is left out, with the reason. */
async function checkTokens(
  deps: OnboardingDependencies,
  eligible: readonly ManagedPage[],
  row: (pageId: string) => ConnectRow,
  options: PageTokenCheckOptions,
): Promise<Map<string, PageCredentials>> {
  const tokens = new Map<string, PageCredentials>();
  let done = 0;
  let ask = true;
  await forEachLimited(eligible, 8, async (page) => {
    const accessToken = page.accessToken as string;
    const check = await checkPageToken(deps.graph, accessToken, { ...options, ask });
    // Throttled once, throttled for the rest: asking again would only prolong the block.
    if (check.throttled) ask = false;
    const target = row(page.id);
    target.tokenExpiresAt = check.expiresAt;
    if (check.note !== undefined) target.missing.push(check.note);
    if (check.refusal !== undefined) {
      target.action = 'refused';
      target.missing.push(check.refusal);
    } else {
      // With the app secret, the product's calls for this Page carry `appsecret_proof`.
      tokens.set(page.id, options.app ? { accessToken, appSecret: options.app.secret } : { accessToken });
    }
    deps.progress?.(++done, eligible.length, 'checking Page tokens');
  });
  // In Graph's order, whatever order the checks finished in.
  const ordered = new Map<string, PageCredentials>();
  for (const page of eligible) {
    const credentials = tokens.get(page.id);
    if (credentials !== undefined) ordered.set(page.id, credentials);
  }
  return ordered;
}

/**
 * The Pages to store, by whether they go into shared secrets: all of them as `shared` says, except that a
 * Page registered with a secret of its own keeps it unless shared secrets were asked for by name.
 */
async function secretGroups(
  registry: PageRegistry,
  pageIds: readonly string[],
  shared: boolean,
  forced: boolean,
): Promise<Map<boolean, string[]>> {
  const groups = new Map<boolean, string[]>([
    [false, []],
    [true, []],
  ]);
  const keepOwn = new Set<string>();
  if (shared && !forced) {
    await forEachLimited(pageIds, 8, async (pageId) => {
      if ((await registry.get(pageId))?.token.kind === 'page-secret') keepOwn.add(pageId);
    });
  }
  for (const pageId of pageIds) groups.get(shared && !keepOwn.has(pageId))?.push(pageId);
  return groups;
}

async function registerAll(
  deps: OnboardingDependencies,
  eligible: readonly ManagedPage[],
  stored: ReadonlyMap<string, StoredToken>,
  row: (pageId: string) => ConnectRow,
): Promise<string[]> {
  let done = 0;
  const created: string[] = [];
  const toRegister = eligible.filter((page) => stored.has(page.id));
  await forEachLimited(toRegister, 8, async (page) => {
    const token = stored.get(page.id) as StoredToken;
    const outcome: RegistrationOutcome = await deps.registry.register({
      pageId: page.id,
      name: page.name,
      instagramAccountId: page.instagramAccountId,
      token: token.location,
      tokenChanged: token.outcome === 'updated',
    });
    row(page.id).action =
      outcome === 'created'
        ? 'registered'
        : outcome === 'updated' || token.outcome !== 'unchanged'
          ? 'updated'
          : 'unchanged';
    if (outcome === 'created') created.push(page.id);
    deps.progress?.(++done, toRegister.length, 'registering');
  });
  return created;
}

/**
 * Each eligible Page subscribed to the conversation fields by the registry's own check
 * (`recordSubscription`): read first, so that a re-run writes nothing for a Page already subscribed,
 * the Page's other fields kept, and what was found recorded for `GET /pages`.
 */
async function subscribeAll(
  deps: Pick<OnboardingDependencies, 'registry' | 'graph'> & { now?: (() => Date) | undefined },
  eligible: readonly ManagedPage[],
  tokens: ReadonlyMap<string, PageCredentials>,
  row: (pageId: string) => ConnectRow,
): Promise<void> {
  await forEachLimited(eligible, 8, async (page) => {
    const credentials = tokens.get(page.id);
    if (credentials === undefined) return;
    let problem: string | undefined;
    try {
      const check = await recordSubscription(deps, page.id, credentials, { autoSubscribe: true });
      if (check.health.status !== 'subscribed') problem = check.problem ?? 'not subscribed';
    } catch (error: unknown) {
      problem = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
    }
    if (problem !== undefined) row(page.id).missing.push(`webhook subscription failed: ${problem}`);
  });
}
