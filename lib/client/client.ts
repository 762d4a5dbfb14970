import { routePath } from '../domain/routes.js';
import type { components, operations } from './api-types.js';
import { type ClientAuth, ClientConfigurationError, createAuthorize } from './auth.js';
import {
  ApiError,
  type ApiErrorBody,
  ApiRedirectError,
  type ApiRequestSummary,
  ApiResponseError,
  ApiResponseTooLargeError,
  ApiUnreachableError,
} from './errors.js';
import { BodyTooLargeError, DEFAULT_MAX_RESPONSE_BYTES, readCappedText } from './response-body.js';

export type Conversation = components['schemas']['Conversation'];
export type ConversationsPage = components['schemas']['ConversationsPage'];
export type SyncState = components['schemas']['SyncState'];
export type ConversationsQuery = NonNullable<operations['listConversations']['parameters']['query']>;
export type StartSyncAnswer = operations['startSync']['responses'][202]['content']['application/json'];
export type HealthAnswer = operations['health']['responses'][200]['content']['application/json'];
export type Page = components['schemas']['Page'];
export type PagesPage = components['schemas']['PagesPage'];
export type PagesQuery = NonNullable<operations['listPages']['parameters']['query']>;
export type Change = components['schemas']['Change'];
export type ChangesPage = components['schemas']['ChangesPage'];
export type ChangesQuery = NonNullable<operations['listChanges']['parameters']['query']>;

export interface PageConversationsClientOptions {
  /** The API's base URL: the stack's `ApiUrl` output (with its stage path, if any), or the local runtime's. */
  baseUrl: string | URL;
  /** How to authorize: `{ type: 'sigv4' }` for an IAM deployment, `jwt`, or `none` locally. */
  auth: ClientAuth;
  /** Per request, headers and body included. @default 30000 */
  timeoutMs?: number;
  /**
   * The longest answer body read, in bytes (after decompression); a longer one is
   * `ApiResponseTooLargeError`, and the rest of it is not read. @default 10485760 (10 MiB), above
   * the 6 MB a Lambda behind API Gateway can answer
   */
  maxResponseBytes?: number;
  /**
   * Another fetch (a proxy's, a test's). It is called with `redirect: 'manual'`: redirects are never
   * followed. @default the global fetch, which keeps connections alive
   */
  fetch?: typeof fetch;
}

export interface PageConversationsClient {
  readonly baseUrl: URL;
  /** `GET /health`: `{ status: 'ok' }` when the API's function answers; touches no dependency. */
  health(): Promise<HealthAnswer>;
  /** `GET /openapi.json`: the API's OpenAPI 3.1 document. */
  openApi(): Promise<Record<string, unknown>>;
  /** `GET /pages`: one page of the Pages this deployment serves, by id, with token health and sync summary. */
  listPages(query?: PagesQuery): Promise<PagesPage>;
  /** Every registered Page, by id, following `after` cursors. */
  pages(query?: Omit<PagesQuery, 'before'>): AsyncIterable<Page>;
  /** `GET /pages/{pageId}`: one registered Page; `unknown_page` (404) when it is not registered. */
  getPage(pageId: string): Promise<Page>;
  /**
   * `GET /pages/{pageId}/conversations`: one page of conversations, live from Graph, or from the index
   * with `updated_since` (then `synced_at` says how fresh the index is).
   */
  listConversations(pageId: string, query?: ConversationsQuery): Promise<ConversationsPage>;
  /**
   * Every conversation matching `query`, newest first, following `after` cursors until the last page.
   * `query.after` starts from a cursor; `query.before` cannot be combined with walking forward.
   */
  conversations(pageId: string, query?: Omit<ConversationsQuery, 'before'>): AsyncIterable<Conversation>;
  /**
   * `GET /pages/{pageId}/changes`: one answer of the Page's changes feed, oldest first, with
   * `paging.cursors.after` to ask from next (always present) and `paging.next` while more are waiting.
   */
  listChanges(pageId: string, query?: ChangesQuery): Promise<ChangesPage>;
  /**
   * Every change of the Page's index from `query.after` (or the oldest kept), in write order, each
   * once, following cursors until caught up. The walk's return value is the cursor to resume from
   * later (keep it: `const walk = client.changes(id); for await (...)` then `(await walk.next())`
   * is done; or loop with `listChanges`). A cursor older than CHANGES_DAYS is `invalid_cursor`.
   */
  changes(pageId: string, query?: ChangesQuery): AsyncGenerator<Change, string>;
  /** `GET /pages/{pageId}/sync`: the state of the page's sync, per platform and folder. */
  getSync(pageId: string): Promise<SyncState>;
  /** `POST /pages/{pageId}/sync`: starts a sync now; `already_running` when one is under way. */
  startSync(pageId: string): Promise<StartSyncAnswer>;
  /**
   * Any route, for routes newer than this client's types. Answers the parsed JSON body; throws the same
   * errors as the typed methods.
   */
  request<T = unknown>(method: 'GET' | 'POST', path: string, query?: QueryValues): Promise<T>;
}

type QueryValues = Record<string, string | number | undefined>;

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A route's path relative to the base URL, which may carry a stage or base path. `routePath` encodes
 * each value as one segment: a page id with `/` or `?` from a caller must not reach another route.
 */
const relative = (path: string): string => path.slice(1);

function parseBaseUrl(baseUrl: string | URL): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (error) {
    throw new ClientConfigurationError(`The base URL is not a URL: ${String(baseUrl)}`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ClientConfigurationError(`The base URL must be http(s), not ${url.protocol}`);
  if (url.search !== '' || url.hash !== '')
    throw new ClientConfigurationError('The base URL must not carry a query or a fragment.');
  // The base path (an API Gateway stage, a custom domain's mapping) is kept; routes are appended to it.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** Whole seconds from a `Retry-After` header (API Gateway and this API send seconds, never a date). */
function retryAfterOf(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function errorBodyOf(parsed: unknown): ApiErrorBody | undefined {
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
  const error = (parsed as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' ? (error as ApiErrorBody) : undefined;
}

// API Gateway's own answers (`{"message":"Forbidden"}`) and anything else without the contract's body.
function gatewayMessageOf(parsed: unknown, text: string): string | undefined {
  if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
    const { message } = parsed as { message: unknown };
    if (typeof message === 'string') return message.slice(0, 200);
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 200);
}

/** A 3xx, or what a browser-like fetch makes of one under `redirect: 'manual'` (status 0). */
const isRedirect = (response: Response) =>
  response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);

/** Where a redirect pointed, as an origin only: its path and query may carry anything. */
function locationOrigin(response: Response, url: URL): string | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  try {
    return new URL(location, url).origin;
  } catch {
    return undefined;
  }
}

/**
 * A typed client of the Page conversations API. One client per base URL; it holds no state between
 * requests beyond the credential provider's cache and fetch's pool of kept-alive connections.
 */
export function createPageConversationsClient(
  options: PageConversationsClientOptions,
): PageConversationsClient {
  const baseUrl = parseBaseUrl(options.baseUrl);
  const authorize = createAuthorize(options.auth, baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new ClientConfigurationError('maxResponseBytes must be a whole number of bytes, at least 1.');
  const fetchImpl = options.fetch ?? globalThis.fetch;

  async function call<T>(method: 'GET' | 'POST', path: string, query: QueryValues = {}): Promise<T> {
    const url = new URL(path.replace(/^\/+/, ''), baseUrl);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const summary: ApiRequestSummary = { method, path: `/${path.replace(/^\/+/, '')}` };
    const headers = await authorize({ method, url, headers: { accept: 'application/json' } });
    let response: Response;
    try {
      // `manual`: a redirect comes back as the 3xx it is; following it would re-send the signed headers.
      response = await fetchImpl(url, {
        method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ApiUnreachableError(baseUrl.origin, summary, { cause: error });
    }
    if (isRedirect(response)) {
      await response.body?.cancel().catch(() => undefined);
      throw new ApiRedirectError(response.status, summary, locationOrigin(response, url));
    }
    let text: string;
    try {
      text = await readCappedText(response, maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        throw new ApiResponseTooLargeError(response.status, summary, maxBytes);
      throw new ApiUnreachableError(baseUrl.origin, summary, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const body = errorBodyOf(parsed);
      throw new ApiError({
        status: response.status,
        body,
        retryAfterSeconds: retryAfterOf(response.headers),
        gatewayMessage: body === undefined ? gatewayMessageOf(parsed, text) : undefined,
        request: summary,
      });
    }
    if (parsed === undefined) throw new ApiResponseError(response.status, summary, 'the body is not JSON');
    return parsed as T;
  }

  const conversationsPath = (pageId: string) => relative(routePath('listConversations', { pageId }));

  /** Every item of a listing, one answer at a time, following `after` cursors until the last page. */
  async function* walk<T>(path: string, query: QueryValues): AsyncGenerator<T> {
    let after = query.after;
    for (;;) {
      const answer = await call<{ data: T[]; paging?: { cursors: { after?: string }; next?: string } }>(
        'GET',
        path,
        { ...query, after },
      );
      yield* answer.data;
      // `next` is absent on the last page; the cursor alone may be present there too.
      after = answer.paging?.next === undefined ? undefined : answer.paging.cursors.after;
      if (after === undefined) return;
    }
  }

  const changesPath = (pageId: string) => relative(routePath('listChanges', { pageId }));

  /** The feed's walk: unlike a listing, it always has a cursor; `next` says whether more are waiting. */
  async function* walkChanges(pageId: string, query: ChangesQuery): AsyncGenerator<Change, string> {
    let after = query.after;
    for (;;) {
      const answer = await call<ChangesPage>('GET', changesPath(pageId), { ...query, after });
      yield* answer.data;
      after = answer.paging.cursors.after;
      if (answer.paging.next === undefined) return after;
    }
  }

  return {
    baseUrl,
    health: () => call<HealthAnswer>('GET', relative(routePath('health'))),
    openApi: () => call<Record<string, unknown>>('GET', relative(routePath('openApi'))),
    listConversations: (pageId, query = {}) =>
      call<ConversationsPage>('GET', conversationsPath(pageId), query),
    conversations: (pageId, query = {}) => walk<Conversation>(conversationsPath(pageId), query),
    listPages: (query = {}) => call<PagesPage>('GET', relative(routePath('listPages')), query),
    pages: (query = {}) => walk<Page>(relative(routePath('listPages')), query),
    getPage: (pageId) => call<Page>('GET', relative(routePath('getPage', { pageId }))),
    listChanges: (pageId, query = {}) => call<ChangesPage>('GET', changesPath(pageId), query),
    changes: (pageId, query = {}) => walkChanges(pageId, query),
    getSync: (pageId) => call<SyncState>('GET', relative(routePath('getSyncState', { pageId }))),
    startSync: (pageId) => call<StartSyncAnswer>('POST', relative(routePath('startSync', { pageId }))),
    request: (method, path, query) => call(method, path, query),
  };
}
