/**
 * The emulator's onboarding edges, in Graph's shapes and errors: `GET /me/accounts` (paged), `GET
 * /debug_token`, `GET /oauth/access_token?grant_type=fb_exchange_token`, `GET /{page-id}?fields=...`
 * and `GET`/`POST /{page-id}/subscribed_apps`; emulated users who manage many Pages, some without a
 * permission or a task, some with an Instagram account; and the demo's user, whose token `npm start`
 * prints. Token lifetimes live in `graph-emulator-tokens.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { checkProof, GraphRejection } from './graph-emulator-rules.js';
import { DEMO_PAGE_IDS, type EmulatedPage, seedPage } from './graph-emulator-seed.js';
import {
  APP_TOKEN,
  type DebugSubject,
  EMULATOR_APP,
  expiredToken,
  invalidToken,
  TokenLedger,
  type TokenLifetime,
  type UserTokenEntry,
} from './graph-emulator-tokens.js';

export { EMULATOR_APP, type TokenLifetime } from './graph-emulator-tokens.js';

/** What connecting needs: the permissions a user grants (Messenger and Instagram) and a Page task. */
export const MESSAGING_SCOPES = [
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
] as const;
export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_manage_messages'] as const;
const ALL_SCOPES = [...MESSAGING_SCOPES, ...INSTAGRAM_SCOPES, 'pages_show_list', 'business_management'];
const ALL_TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

/**
 * The demo user's token, printed by `npm start` (a demo value, like the demo webhook secret): it lasts
 * for ever, as a system user's does, so `npm run pages -- connect` stores Page tokens that last.
 */
export const DEMO_USER_TOKEN = 'EMULATOR-DEMO-USER-TOKEN';
/** The demo user's Pages that the demo's token file leaves out, so that `connect` has Pages to add. */
export const DEMO_NEW_PAGES = [
  { id: '1000000000000004', name: 'Demo Florist' },
  { id: '1000000000000005', name: 'Demo Cafe' },
] as const;

export interface ManagedPageSpec {
  /** The Page's tasks for this user; default every task. */
  tasks?: string[];
  /** Permissions the user did not grant for this Page (granular scopes leave it out). */
  withoutScopes?: string[];
  /** Gives the Page an Instagram professional account. */
  instagram?: boolean;
}

export interface EmulatedUserSpec {
  pages: number;
  /** The first Page's id; the others follow. Default: 2000000000000001 plus a per-user offset. */
  firstPageId?: bigint;
  /** Per Page, by its index from 0. */
  page?: (index: number) => ManagedPageSpec;
  /** Default `short`, as a login dialog or Graph API Explorer gives it. */
  lifetime?: TokenLifetime;
}

export interface EmulatedUser {
  id: string;
  /** The user token: short-lived unless the spec says otherwise. */
  token: string;
  pageIds: string[];
}

interface UserState {
  id: string;
  tasks: Map<string, string[]>;
  missing: Map<string, Set<string>>;
  pageIds: string[];
}

const PAGE_FIELDS = new Set([
  'id',
  'name',
  'access_token',
  'tasks',
  'instagram_business_account',
  'category',
]);

export class AccountsEmulator {
  /** User id -> what the user manages; tokens map to users in the ledger. */
  private readonly users = new Map<string, UserState>();
  private readonly tokens: TokenLedger;
  private readonly subscriptions = new Map<string, string[]>();
  /** Pages whose token lacks `pages_manage_metadata`: their subscribed_apps edge refuses it. */
  private readonly withoutMetadata = new Set<string>();
  private userCount = 0;

  constructor(
    private readonly pages: Map<string, EmulatedPage>,
    private readonly baseUrl: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tokens = new TokenLedger(now);
  }

  createUser(spec: EmulatedUserSpec, token?: string): EmulatedUser {
    this.userCount++;
    const id = String(100_000_000_000_000n + BigInt(this.userCount));
    const first = spec.firstPageId ?? 2_000_000_000_000_001n + BigInt((this.userCount - 1) * 100_000);
    const state: UserState = { id, tasks: new Map(), missing: new Map(), pageIds: [] };
    for (let i = 0; i < spec.pages; i++) {
      const pageId = String(first + BigInt(i));
      const options = spec.page?.(i) ?? {};
      const page: EmulatedPage = this.pages.get(pageId) ?? {
        id: pageId,
        name: `Emulated Page ${i + 1}`,
        accessToken: `EMULATOR-PAGE-TOKEN-${pageId}-${randomBytes(6).toString('hex')}`,
        conversations: [],
      };
      if (options.instagram === true)
        page.instagramAccountId = `178414${pageId.slice(-11).padStart(11, '0')}`;
      this.pages.set(pageId, page);
      state.tasks.set(pageId, options.tasks ?? ALL_TASKS);
      state.missing.set(pageId, new Set(options.withoutScopes ?? []));
      state.pageIds.push(pageId);
    }
    this.users.set(id, state);
    const issued = this.tokens.issue(id, spec.lifetime ?? 'short', token);
    return { id, token: issued, pageIds: [...state.pageIds] };
  }

  /**
   * The demo's user (`npm start`): manages the first two demo Pages and two more that the demo's token
   * file leaves out (seeded with conversations), with the printed `DEMO_USER_TOKEN`, which never expires.
   * The first demo Page gets its Instagram professional account linked: the account its seeded Instagram
   * conversations name, so Instagram webhooks and conversations can be tried.
   */
  createDemoUser(): EmulatedUser {
    const first = this.pages.get(DEMO_PAGE_IDS[0]);
    const instagram = first?.conversations.find((c) => c.platform === 'instagram')?.participants.data[1]?.id;
    if (first !== undefined && instagram !== undefined) first.instagramAccountId = instagram;
    for (const { id, name } of DEMO_NEW_PAGES) {
      if (!this.pages.has(id)) this.pages.set(id, seedPage(id, { perPartition: 10, name, now: this.now() }));
    }
    const ids = [DEMO_PAGE_IDS[0], DEMO_PAGE_IDS[1], ...DEMO_NEW_PAGES.map((page) => page.id)];
    const user = this.createUser({ pages: 0, lifetime: 'never' }, DEMO_USER_TOKEN);
    const state = this.users.get(user.id) as UserState;
    for (const pageId of ids) {
      state.tasks.set(pageId, ALL_TASKS);
      state.missing.set(pageId, new Set());
      state.pageIds.push(pageId);
    }
    return { ...user, pageIds: [...ids] };
  }

  /** Whether this module answers the path; its answers then come from `answer`. */
  handles(segments: readonly string[]): boolean {
    const [first, second] = segments;
    if (segments.length === 2 && first === 'me' && second === 'accounts') return true;
    if (segments.length === 1 && (first === 'debug_token' || /^\d+$/.test(first ?? ''))) return true;
    if (segments.length === 2 && first === 'oauth' && second === 'access_token') return true;
    return segments.length === 2 && /^\d+$/.test(first ?? '') && second === 'subscribed_apps';
  }

  /** The token, whether or not a page or user holds it: Graph's tokens are self-describing. */
  answer(
    req: IncomingMessage,
    segments: readonly string[],
    search: URLSearchParams,
    version: string,
    token: string | undefined,
  ): unknown {
    const [first, second] = segments;
    const method = req.method ?? 'GET';
    if (first === 'oauth') return this.tokens.exchange(search);
    if (first === 'debug_token') return this.debugToken(search, token);
    if (first === 'me') return this.accounts(search, version, token);
    const page = this.pages.get(first ?? '');
    if (page === undefined || token !== page.accessToken) throw this.wrongToken(token, 'the Page');
    // The Page's own app requires a proof; any proof given must be right.
    this.checkProof(token, search, page.appSecret);
    if (second === 'subscribed_apps') {
      if (this.withoutMetadata.has(page.id)) throw missingMetadataPermission();
      if (method === 'GET') return this.subscribedApps(page.id);
      if (method !== 'POST') throw unsupported(method);
      this.subscriptions.set(page.id, (search.get('subscribed_fields') ?? '').split(',').filter(Boolean));
      return { success: true };
    }
    if (method !== 'GET') throw unsupported(method);
    return this.pageNode(page, search);
  }

  subscribedFields(pageId: string): string[] | undefined {
    return this.subscriptions.get(pageId);
  }

  /** The Page subscribed to the app's webhooks for `fields`, as connect or Meta's app dashboard does. */
  subscribe(pageId: string, fields: readonly string[]): void {
    this.subscriptions.set(pageId, [...fields]);
  }

  /** What Meta does after a Page's deliveries failed for long enough: the app's subscription is gone. */
  dropSubscription(pageId: string): void {
    this.subscriptions.delete(pageId);
  }

  /** The Page's token no longer carries `pages_manage_metadata` (or carries it again). */
  denySubscriptionAccess(pageId: string, denied = true): void {
    if (denied) this.withoutMetadata.add(pageId);
    else this.withoutMetadata.delete(pageId);
  }

  private subscribedApps(pageId: string): unknown {
    const fields = this.subscriptions.get(pageId);
    if (fields === undefined) return { data: [] };
    return {
      data: [
        {
          category: 'Business',
          link: 'https://example.invalid/',
          name: 'Emulated app',
          id: EMULATOR_APP.id,
          subscribed_fields: fields,
        },
      ],
    };
  }

  /** `debug_token`: asked with the app token or any token the emulator issued, of any kind of token. */
  private debugToken(search: URLSearchParams, token: string | undefined): unknown {
    if (token !== APP_TOKEN && this.kindOf(token) === undefined) throw this.wrongToken(token, 'any');
    const input = search.get('input_token') ?? '';
    const kind = this.kindOf(input);
    const page = kind === 'page' ? this.pageOfToken(input) : undefined;
    const entry = this.tokens.user(input);
    const user = entry === undefined ? undefined : this.users.get(entry.userId);
    let subject: DebugSubject = { kind: 'unknown' };
    if (kind === 'app') subject = { kind: 'app' };
    else if (page !== undefined) {
      subject = { kind: 'page', pageId: page.id, expiresAt: this.tokens.pageTokenExpiresAt(page.id) };
    } else if (entry !== undefined && user !== undefined) {
      const granular = ALL_SCOPES.map((scope) => ({
        scope,
        target_ids: user.pageIds.filter((pageId) => !user.missing.get(pageId)?.has(scope)),
      }));
      subject = {
        kind: 'user',
        userId: user.id,
        entry,
        granted: granular.filter((g) => g.target_ids.length > 0),
      };
    }
    return this.tokens.debug(subject, ALL_SCOPES);
  }

  private accounts(search: URLSearchParams, version: string, token: string | undefined): unknown {
    const entry = this.tokens.user(token);
    const user = entry === undefined ? undefined : this.users.get(entry.userId);
    if (entry === undefined || user === undefined) throw this.wrongToken(token, 'a user');
    if (this.tokens.expired(entry)) throw expiredToken(entry);
    this.checkProof(token as string, search, undefined);
    const limit = Math.min(100, Math.max(1, Number(search.get('limit') ?? '25') || 25));
    const fields = (search.get('fields') ?? 'id,name').split(',').filter((f) => PAGE_FIELDS.has(f));
    const after = search.get('after');
    const start = after === null ? 0 : user.pageIds.indexOf(decodeAccountsCursor(after)) + 1;
    if (after !== null && start === 0) {
      throw new GraphRejection({
        message: '(#100) The after cursor is invalid',
        type: 'OAuthException',
        code: 100,
      });
    }
    const ids = user.pageIds.slice(start, start + limit);
    const data = ids.map((pageId) => this.accountsItem(pageId, user, entry, fields));
    const firstId = ids[0];
    const lastId = ids.at(-1);
    if (firstId === undefined || lastId === undefined) return { data: [] };
    const cursors = { before: encodeAccountsCursor(firstId), after: encodeAccountsCursor(lastId) };
    const paging: Record<string, unknown> = { cursors };
    if (start + limit < user.pageIds.length) {
      const next = new URLSearchParams(search);
      next.delete('access_token');
      next.set('limit', String(limit));
      next.set('after', cursors.after);
      paging.next = `${this.baseUrl()}/${version}/me/accounts?${next.toString()}`;
    }
    return { data, paging };
  }

  private accountsItem(pageId: string, user: UserState, entry: UserTokenEntry, fields: string[]) {
    const page = this.pages.get(pageId) as EmulatedPage;
    const item: Record<string, unknown> = {};
    for (const field of fields) {
      if (field === 'id') item.id = page.id;
      if (field === 'name') item.name = page.name;
      if (field === 'access_token') {
        item.access_token = page.accessToken;
        this.tokens.handOut(page.id, entry);
      }
      if (field === 'category') item.category = 'Local business';
      if (field === 'tasks') item.tasks = user.tasks.get(pageId);
      if (field === 'instagram_business_account' && page.instagramAccountId !== undefined) {
        item.instagram_business_account = { id: page.instagramAccountId };
      }
    }
    item.id = page.id;
    return item;
  }

  private pageNode(page: EmulatedPage, search: URLSearchParams): unknown {
    const fields = (search.get('fields') ?? 'name').split(',');
    const node: Record<string, unknown> = {};
    for (const field of fields) {
      if (field === 'name') node.name = page.name;
      else if (field === 'instagram_business_account') {
        if (page.instagramAccountId !== undefined)
          node.instagram_business_account = { id: page.instagramAccountId };
      } else if (field !== 'id') {
        throw new GraphRejection({
          message: `(#100) Tried accessing nonexisting field (${field}) on node type (Page)`,
          type: 'OAuthException',
          code: 100,
        });
      }
    }
    node.id = page.id;
    return node;
  }

  /** A proof is checked against `required` when the Page's app requires one, else against the app's secret when given. */
  private checkProof(token: string, search: URLSearchParams, required: string | undefined): void {
    const appSecret = required ?? (search.has('appsecret_proof') ? EMULATOR_APP.secret : undefined);
    if (appSecret === undefined) return;
    checkProof(
      { id: '', name: '', accessToken: token, appSecret, conversations: [] },
      token,
      search,
      this.now(),
    );
  }

  private kindOf(token: string | undefined): 'app' | 'user' | 'page' | undefined {
    if (token === undefined) return undefined;
    if (token === APP_TOKEN) return 'app';
    if (this.tokens.user(token) !== undefined) return 'user';
    return this.pageOfToken(token) === undefined ? undefined : 'page';
  }

  private pageOfToken(token: string): EmulatedPage | undefined {
    for (const page of this.pages.values()) if (page.accessToken === token) return page;
    return undefined;
  }

  /**
   * Graph's answer to a token of the wrong kind or none: a Page token at `/me/accounts` reads the Page's
   * own node, which has no `accounts` edge; no token at all is 2500; a token nobody issued is 190.
   */
  private wrongToken(token: string | undefined, wanted: 'a user' | 'the Page' | 'any'): GraphRejection {
    if (token === undefined) {
      const message = 'An active access token must be used to query information about the current user.';
      return new GraphRejection({ message, type: 'OAuthException', code: 2500 });
    }
    const kind = this.kindOf(token);
    if (wanted === 'a user' && kind === 'page') {
      const message = '(#100) Tried accessing nonexisting field (accounts) on node type (Page)';
      return new GraphRejection({ message, type: 'OAuthException', code: 100 });
    }
    if (wanted === 'a user' && kind === 'app') {
      const message = 'An active access token must be used to query information about the current user.';
      return new GraphRejection({ message, type: 'OAuthException', code: 2500 });
    }
    return invalidToken();
  }
}

/** Graph's answer to subscribed_apps with a token that lacks the permission: code 200, a permission error. */
function missingMetadataPermission(): GraphRejection {
  const message = '(#200) Requires pages_manage_metadata permission to manage the object';
  return new GraphRejection({ message, type: 'OAuthException', code: 200 });
}

function unsupported(method: string): GraphRejection {
  const message = `Unsupported ${method.toLowerCase()} request.`;
  return new GraphRejection({ message, type: 'GraphMethodException', code: 100 });
}

function encodeAccountsCursor(pageId: string): string {
  return Buffer.from(`QVFI${pageId}`).toString('base64url');
}

function decodeAccountsCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('latin1');
  return text.startsWith('QVFI') ? text.slice(4) : '';
}
