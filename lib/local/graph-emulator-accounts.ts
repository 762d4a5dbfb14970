/**
 * The emulator's onboarding edges, in Graph's shapes and errors: `GET /me/accounts` (paged), `GET
 * /debug_token`, `GET /oauth/access_token?grant_type=fb_exchange_token`, `GET /{page-id}?fields=...`
 * and `POST /{page-id}/subscribed_apps`; and emulated users who manage many Pages, some without a
 * permission or a task, some with an Instagram account.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphRejection } from './graph-emulator-rules.js';
import type { EmulatedPage } from './graph-emulator-seed.js';

/** The emulated Meta app: `connect` exchanges tokens with these, as with a real app's id and secret. */
export const EMULATOR_APP = Object.freeze({ id: '900000000000001', secret: 'emulator-app-secret' });

/** What connecting needs: the permissions a user grants (Messenger and Instagram) and a Page task. */
export const MESSAGING_SCOPES = [
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
] as const;
export const INSTAGRAM_SCOPES = ['instagram_basic', 'instagram_manage_messages'] as const;
const ALL_SCOPES = [...MESSAGING_SCOPES, ...INSTAGRAM_SCOPES, 'pages_show_list', 'business_management'];
const ALL_TASKS = ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE'];

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
}

export interface EmulatedUser {
  id: string;
  /** A short-lived user token, as a login dialog gives it. */
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
  private readonly users = new Map<string, UserState>();
  private readonly subscriptions = new Map<string, string[]>();
  private userCount = 0;

  constructor(
    private readonly pages: Map<string, EmulatedPage>,
    private readonly baseUrl: () => string,
  ) {}

  createUser(spec: EmulatedUserSpec): EmulatedUser {
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
    const token = `EMULATOR-USER-TOKEN-${id}-${randomBytes(6).toString('hex')}`;
    this.users.set(token, state);
    return { id, token, pageIds: [...state.pageIds] };
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
    if (first === 'oauth') return this.exchange(search);
    if (first === 'debug_token') return this.debugToken(search, token);
    if (first === 'me') return this.accounts(search, version, this.requireUser(token));
    const page = this.pages.get(first ?? '');
    if (page === undefined || token !== page.accessToken) throw this.tokenRejection(token);
    if (second === 'subscribed_apps') {
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

  private exchange(search: URLSearchParams): unknown {
    if (search.get('grant_type') !== 'fb_exchange_token') {
      throw new GraphRejection({ message: 'Unsupported grant_type', type: 'OAuthException', code: 100 });
    }
    if (search.get('client_id') !== EMULATOR_APP.id || search.get('client_secret') !== EMULATOR_APP.secret) {
      throw new GraphRejection({
        message: 'Error validating client secret.',
        type: 'OAuthException',
        code: 1,
        error_subcode: 463,
      });
    }
    const user = this.users.get(search.get('fb_exchange_token') ?? '');
    if (user === undefined) throw this.tokenRejection(search.get('fb_exchange_token') ?? undefined);
    const longLived = `EMULATOR-USER-TOKEN-${user.id}-long-${randomBytes(6).toString('hex')}`;
    this.users.set(longLived, user);
    return { access_token: longLived, token_type: 'bearer', expires_in: 5_183_944 };
  }

  private debugToken(search: URLSearchParams, token: string | undefined): unknown {
    const appToken = `${EMULATOR_APP.id}|${EMULATOR_APP.secret}`;
    if (token !== appToken && (token === undefined || !this.users.has(token)))
      throw this.tokenRejection(token);
    const input = search.get('input_token') ?? '';
    const user = this.users.get(input);
    if (user === undefined) {
      return {
        data: {
          error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
          is_valid: false,
          scopes: [],
        },
      };
    }
    const granular = ALL_SCOPES.map((scope) => ({
      scope,
      target_ids: user.pageIds.filter((pageId) => !user.missing.get(pageId)?.has(scope)),
    }));
    return {
      data: {
        app_id: EMULATOR_APP.id,
        type: 'USER',
        application: 'Emulated app',
        data_access_expires_at: Math.floor(Date.now() / 1000) + 90 * 86_400,
        expires_at: Math.floor(Date.now() / 1000) + 60 * 86_400,
        is_valid: true,
        scopes: granular.filter((g) => g.target_ids.length > 0).map((g) => g.scope),
        granular_scopes: granular.filter((g) => g.target_ids.length > 0),
        user_id: user.id,
      },
    };
  }

  private accounts(search: URLSearchParams, version: string, user: UserState): unknown {
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
    const data = ids.map((pageId) => {
      const page = this.pages.get(pageId) as EmulatedPage;
      const item: Record<string, unknown> = {};
      for (const field of fields) {
        if (field === 'id') item.id = page.id;
        if (field === 'name') item.name = page.name;
        if (field === 'access_token') item.access_token = page.accessToken;
        if (field === 'category') item.category = 'Local business';
        if (field === 'tasks') item.tasks = user.tasks.get(pageId);
        if (field === 'instagram_business_account' && page.instagramAccountId !== undefined) {
          item.instagram_business_account = { id: page.instagramAccountId };
        }
      }
      item.id = page.id;
      return item;
    });
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

  private requireUser(token: string | undefined): UserState {
    const user = token === undefined ? undefined : this.users.get(token);
    if (user === undefined) throw this.tokenRejection(token);
    return user;
  }

  private tokenRejection(token: string | undefined): GraphRejection {
    if (token === undefined) {
      const message = 'An active access token must be used to query information about the current user.';
      return new GraphRejection({ message, type: 'OAuthException', code: 2500 });
    }
    const message = 'Invalid OAuth access token - Cannot parse access token';
    return new GraphRejection({ message, type: 'OAuthException', code: 190 });
  }
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
