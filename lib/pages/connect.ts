import { forEachLimited } from '../domain/concurrency.js';
import { PageTokenInvalidError } from '../domain/errors.js';
import type { PageRegistry, RegistrationOutcome } from '../store/page-registry.js';
import type { PageCredentials } from '../tokens/token-source.js';
import { eligibility } from './eligibility.js';
import type { ManagedPage, OnboardingGraph } from './onboarding-graph.js';
import type { TokenVault } from './token-vault.js';

export interface OnboardingDependencies {
  registry: PageRegistry;
  vault: TokenVault;
  graph: OnboardingGraph;
  /** Starts a newly registered Page's first sync; absent, the next scheduled sync picks it up. */
  startSync?: (pageId: string) => Promise<void>;
  progress?: (done: number, total: number, what: string) => void;
}

export interface ConnectOptions {
  /** Read from a file or standard input, never from the command line. */
  userToken: string;
  /** With the app's id and secret, the token is first exchanged for a long-lived one. */
  app?: { id: string; secret: string };
  /** Put new Pages' tokens in shared secrets rather than one secret each. */
  shared?: boolean;
  dryRun?: boolean;
  /**
   * Subscribe each eligible Page to the app's webhooks (`POST /{page-id}/subscribed_apps`): set when
   * this deployment receives webhooks. Meta answers the same call again with success, so re-running is
   * safe; a Page whose subscription fails is registered all the same and says so.
   */
  subscribeWebhooks?: boolean;
}

/** The webhook fields whose events name a conversation (see the receiver): messages and their echoes,
 * postbacks, reactions and reads. */
export const WEBHOOK_FIELDS = [
  'messages',
  'message_echoes',
  'messaging_postbacks',
  'message_reactions',
  'message_reads',
] as const;

export type ConnectAction =
  | 'registered'
  | 'updated'
  | 'unchanged'
  | 'skipped'
  | 'would register'
  | 'would update';

export interface ConnectRow {
  pageId: string;
  name: string | undefined;
  instagramAccountId: string | undefined;
  action: ConnectAction;
  /** What the user must still grant for this Page; why a skipped Page was skipped. */
  missing: string[];
}

export interface ConnectReport {
  rows: ConnectRow[];
  syncsStarted: number;
}

/**
 * `npm run pages -- connect`: every Page the user token manages is checked (`GET /debug_token`, the
 * Page's tasks), its token stored and the Page registered, and a newly registered Page's first sync
 * started. Re-running is safe: an unchanged token is not rewritten, an unchanged Page not re-registered.
 */
export async function connectPages(
  deps: OnboardingDependencies,
  options: ConnectOptions,
): Promise<ConnectReport> {
  const userToken = options.app
    ? await deps.graph.exchangeUserToken(options.userToken, options.app)
    : options.userToken;
  const grants = await deps.graph.grants(userToken, options.app);
  if (!grants.isValid) throw new PageTokenInvalidError('Graph says the user access token is not valid.');
  const managed: ManagedPage[] = [];
  for await (const batch of deps.graph.managedPages(userToken)) {
    managed.push(...batch);
    deps.progress?.(managed.length, managed.length, 'listing Pages');
  }
  const rows: ConnectRow[] = [];
  const tokens = new Map<string, PageCredentials>();
  const eligible = new Map<string, ManagedPage>();
  for (const page of managed) {
    const verdict = eligibility(page, grants);
    const row: ConnectRow = {
      pageId: page.id,
      name: page.name,
      instagramAccountId: page.instagramAccountId,
      action: 'skipped',
      missing: verdict.missing,
    };
    rows.push(row);
    if (verdict.eligible && page.accessToken !== undefined) {
      tokens.set(page.id, { accessToken: page.accessToken });
      eligible.set(page.id, page);
    }
  }
  const byId = new Map(rows.map((row) => [row.pageId, row]));
  if (options.dryRun === true) {
    for (const pageId of eligible.keys()) {
      const row = byId.get(pageId) as ConnectRow;
      row.action = (await deps.registry.get(pageId)) === undefined ? 'would register' : 'would update';
    }
    return { rows, syncsStarted: 0 };
  }
  deps.progress?.(0, tokens.size, 'storing tokens');
  const stored = await deps.vault.store(tokens, { shared: options.shared === true });
  let done = 0;
  const created: string[] = [];
  await forEachLimited([...eligible.values()], 8, async (page) => {
    const token = stored.get(page.id);
    if (token === undefined) return;
    const outcome: RegistrationOutcome = await deps.registry.register({
      pageId: page.id,
      name: page.name,
      instagramAccountId: page.instagramAccountId,
      token: token.location,
      tokenChanged: token.outcome === 'updated',
    });
    const row = byId.get(page.id) as ConnectRow;
    row.action =
      outcome === 'created'
        ? 'registered'
        : outcome === 'updated' || token.outcome !== 'unchanged'
          ? 'updated'
          : 'unchanged';
    if (outcome === 'created') created.push(page.id);
    deps.progress?.(++done, eligible.size, 'registering');
  });
  if (options.subscribeWebhooks === true) {
    await forEachLimited([...eligible.values()], 8, async (page) => {
      const token = tokens.get(page.id);
      if (token === undefined) return;
      try {
        await deps.graph.subscribeApp(page.id, token.accessToken, WEBHOOK_FIELDS);
      } catch (error: unknown) {
        const reason = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
        (byId.get(page.id) as ConnectRow).missing.push(`webhook subscription failed: ${reason}`);
      }
    });
  }
  let syncsStarted = 0;
  if (deps.startSync !== undefined) {
    for (const pageId of created.sort()) {
      await deps.startSync(pageId);
      syncsStarted++;
    }
  }
  return { rows, syncsStarted };
}
