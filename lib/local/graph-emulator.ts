/**
 * An emulator of Graph's `GET /{version}/{page-id}/conversations` edge that speaks Graph's own wire
 * format (error envelope, cursors, paging URLs, usage headers, rate limits), so that the Graph client,
 * the sync and the demo run against real HTTP with no Meta account.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { AccountsEmulator, type EmulatedUser, type EmulatedUserSpec } from './graph-emulator-accounts.js';
import {
  checkProof,
  checkRoute,
  checkToken,
  errorBody,
  type Fault,
  FaultQueue,
  GraphRejection,
  graphHeaders,
  invalidCursor,
  type ListQuery,
  parseQuery,
  parseRoute,
  type RateLimit,
  RateMeter,
  type Route,
  readToken,
  TRUNCATED_JSON,
  traceId,
  unknownPage,
  writeAnswer,
} from './graph-emulator-rules.js';
import {
  type EmulatedConversation,
  type EmulatedPage,
  emulatorToken,
  encodeCursor,
  formatGraphTime,
  type GeneratedPagesOptions,
  generatedPage,
  makeConversation,
  mulberry32,
  nextConversationNumber,
  order,
  type Position,
  positionOf,
  SNIPPETS,
  seedDemoPages,
  truncateToSecond,
} from './graph-emulator-seed.js';

export type { EmulatedUser, EmulatedUserSpec, ManagedPageSpec } from './graph-emulator-accounts.js';
export {
  DEMO_USER_TOKEN,
  EMULATOR_APP,
  INSTAGRAM_SCOPES,
  MESSAGING_SCOPES,
} from './graph-emulator-accounts.js';
export type { Fault, GraphErrorFields } from './graph-emulator-rules.js';
export type { EmulatedConversation, EmulatedPage, GeneratedPagesOptions } from './graph-emulator-seed.js';
export {
  DEMO_PAGE_IDS,
  emulatorToken,
  GENERATED_FIRST_PAGE_ID,
  generatedPageIds,
  seedDemoPages,
  seedPage,
} from './graph-emulator-seed.js';

export interface EmulatedCall {
  /** Undefined when the path names no page. */
  pageId: string | undefined;
  path: string;
  /** The query without `access_token` and `appsecret_proof`. */
  params: Record<string, string>;
  /** 0 when no answer was given ('hang' and 'reset' faults). */
  status: number;
  at: Date;
}

export interface GraphEmulatorOptions {
  /** Default: seedDemoPages(), or no pages when `pageFactory` or `generated` is given. */
  pages?: EmulatedPage[];
  /** Creates pages on their first request (benches with thousands of pages); cached once created. */
  pageFactory?: (pageId: string) => EmulatedPage | undefined;
  /**
   * Many small Pages made from their id on each request and never stored (100,000 cost no memory), with
   * the emulator's start time; one that a test changes (touch, add...) is kept from then on. `pages`
   * does not iterate them: `generatedPageIds(options.generated)` lists them. Tokens: `emulatorToken(id)`.
   */
  generated?: GeneratedPagesOptions;
  /**
   * Added before every answer, as Graph's own time over the internet (150 to 300 ms is typical): a
   * fixed number of milliseconds, or `[min, max]` drawn from a seeded sequence. Default none.
   */
  latencyMs?: number | readonly [number, number];
  host?: string;
  port?: number;
  /** Per page; default none. */
  rateLimit?: RateLimit;
  /** Every Nth full page of results holds one item fewer than `limit` yet has `next`, as Graph does. */
  shortPageEvery?: number;
  now?: () => Date;
}

export interface GraphEmulator {
  readonly url: string;
  readonly pages: Map<string, EmulatedPage>;
  readonly calls: EmulatedCall[];
  callCount(pageId?: string): number;
  inject(fault: Fault): void;
  touch(pageId: string, ids: string[], at?: Date): void;
  addConversations(
    pageId: string,
    platform: Platform,
    folder: Folder,
    count: number,
    at?: Date,
  ): EmulatedConversation[];
  deleteConversation(pageId: string, id: string): void;
  moveConversation(pageId: string, id: string, folder: Folder): void;
  resetCalls(): void;
  /** A user who manages `spec.pages` Pages (created as needed), and their short-lived token. */
  createUser(spec: EmulatedUserSpec): EmulatedUser;
  /** The demo's user, with the printed never-expiring token (`DEMO_USER_TOKEN`); see the accounts file. */
  createDemoUser(): EmulatedUser;
  /** The fields a Page subscribed the app to with `POST /{page-id}/subscribed_apps`. */
  subscribedFields(pageId: string): string[] | undefined;
  /** The Page subscribed to the app's webhooks for `fields` (as connect or the app dashboard does). */
  subscribe(pageId: string, fields: readonly string[]): void;
  /** Meta drops the Page's subscription (deliveries failed too long): subscribed_apps lists no app. */
  dropSubscription(pageId: string): void;
  /** The Page's token lacks `pages_manage_metadata`: subscribed_apps answers Graph's permission error. */
  denySubscriptionAccess(pageId: string, denied?: boolean): void;
  close(): Promise<void>;
}

const DEFAULT_VERSION = 'v24.0';

interface ListBody {
  data: Array<Record<string, unknown>>;
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

function project(conversation: EmulatedConversation, fields: readonly string[]): Record<string, unknown> {
  const record = conversation as unknown as Record<string, unknown>;
  const item: Record<string, unknown> = { id: conversation.id };
  for (const field of fields) {
    if (record[field] !== undefined) item[field] = record[field];
  }
  return item;
}

function recordedParams(search: URLSearchParams): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of search) {
    if (name !== 'access_token' && name !== 'appsecret_proof') params[name] = value;
  }
  return params;
}

/** The stored Pages, with the generated ones read through: `get` makes one without keeping it. */
class PageMap extends Map<string, EmulatedPage> {
  generate: (pageId: string) => EmulatedPage | undefined = () => undefined;

  override get(pageId: string): EmulatedPage | undefined {
    return super.get(pageId) ?? this.generate(pageId);
  }

  override has(pageId: string): boolean {
    return super.has(pageId) || this.generate(pageId) !== undefined;
  }
}

function checkLatency(latency: GraphEmulatorOptions['latencyMs']): void {
  const [min, max] = typeof latency === 'number' ? [latency, latency] : (latency ?? [0, 0]);
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && min <= max)) {
    throw new RangeError(`latencyMs takes milliseconds >= 0, or [min, max] with min <= max; got ${latency}.`);
  }
}

class Emulator implements GraphEmulator {
  url = '';
  readonly pages: PageMap;
  readonly calls: EmulatedCall[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<IncomingMessage['socket']>();
  private readonly faults = new FaultQueue();
  private readonly meter: RateMeter | undefined;
  private readonly fullPages = new Map<string, number>();
  private readonly random = mulberry32(0x5eed);
  private readonly now: () => Date;
  private closing: Promise<void> | undefined;
  private readonly accounts: AccountsEmulator;
  private readonly delays = mulberry32(0x1a7e);
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(private readonly options: GraphEmulatorOptions) {
    checkLatency(options.latencyMs);
    const seeded = options.pageFactory === undefined && options.generated === undefined;
    const pages = options.pages ?? (seeded ? seedDemoPages() : []);
    this.pages = new PageMap(pages.map((page) => [page.id, page]));
    this.now = options.now ?? (() => new Date());
    const { generated } = options;
    if (generated !== undefined) {
      const madeAt = truncateToSecond(this.now());
      this.pages.generate = (pageId) => generatedPage(pageId, generated, madeAt);
    }
    this.accounts = new AccountsEmulator(
      this.pages,
      () => this.url,
      () => this.now(),
    );
    this.meter = options.rateLimit === undefined ? undefined : new RateMeter(options.rateLimit);
    this.server = createServer({ keepAlive: true }, (req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('The emulator has no TCP address.');
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  callCount(pageId?: string): number {
    return pageId === undefined ? this.calls.length : this.calls.filter((c) => c.pageId === pageId).length;
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  touch(pageId: string, ids: string[], at: Date = this.now()): void {
    const page = this.requirePage(pageId);
    const time = formatGraphTime(truncateToSecond(at));
    for (const id of ids) {
      const conversation = this.requireConversation(page, id);
      conversation.updated_time = time;
      conversation.message_count++;
      conversation.unread_count++;
      conversation.snippet = SNIPPETS[(SNIPPETS.indexOf(conversation.snippet) + 1) % SNIPPETS.length] ?? '…';
    }
  }

  addConversations(pageId: string, platform: Platform, folder: Folder, count: number, at?: Date) {
    const page = this.requirePage(pageId);
    const time = truncateToSecond(at ?? this.now());
    const added: EmulatedConversation[] = [];
    for (let i = 0; i < count; i++) {
      const number = nextConversationNumber(page, this.random);
      const conversation = makeConversation(this.random, { page, platform, folder, number, time });
      page.conversations.push(conversation);
      added.push(conversation);
    }
    return added;
  }

  deleteConversation(pageId: string, id: string): void {
    const page = this.requirePage(pageId);
    page.conversations.splice(page.conversations.indexOf(this.requireConversation(page, id)), 1);
  }

  moveConversation(pageId: string, id: string, folder: Folder): void {
    this.requireConversation(this.requirePage(pageId), id).folder = folder;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  createUser(spec: EmulatedUserSpec): EmulatedUser {
    return this.accounts.createUser(spec);
  }

  createDemoUser(): EmulatedUser {
    return this.accounts.createDemoUser();
  }

  subscribe(pageId: string, fields: readonly string[]): void {
    this.accounts.subscribe(pageId, fields);
  }

  subscribedFields(pageId: string): string[] | undefined {
    return this.accounts.subscribedFields(pageId);
  }

  dropSubscription(pageId: string): void {
    this.accounts.dropSubscription(pageId);
  }

  denySubscriptionAccess(pageId: string, denied = true): void {
    this.accounts.denySubscriptionAccess(pageId, denied);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // 'hang' requests and idle keep-alive sockets would hold server.close() open forever.
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      for (const timer of this.delayed) clearTimeout(timer);
    });
    return this.closing;
  }

  private page(pageId: string): EmulatedPage | undefined {
    let page = this.pages.get(pageId);
    if (page === undefined && this.options.pageFactory !== undefined) {
      page = this.options.pageFactory(pageId);
      if (page !== undefined) this.pages.set(pageId, page);
    }
    return page;
  }

  /** For a change: a generated Page is kept from then on, so that the change lasts. */
  private requirePage(pageId: string): EmulatedPage {
    const page = this.page(pageId);
    if (page === undefined) throw new Error(`The emulator has no page ${pageId}.`);
    this.pages.set(pageId, page);
    return page;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const latency = this.options.latencyMs;
    const delay =
      typeof latency === 'number' || latency === undefined
        ? (latency ?? 0)
        : latency[0] + this.delays() * (latency[1] - latency[0]);
    if (delay <= 0) {
      this.respond(req, res);
      return;
    }
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.respond(req, res);
    }, delay);
    this.delayed.add(timer);
  }

  private requireConversation(page: EmulatedPage, id: string): EmulatedConversation {
    const conversation = page.conversations.find((c) => c.id === id);
    if (conversation === undefined) throw new Error(`Page ${page.id} has no conversation ${id}.`);
    return conversation;
  }

  private respond(req: IncomingMessage, res: ServerResponse): void {
    const at = this.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const route = parseRoute(url.pathname);
    const segments =
      route.version === undefined
        ? []
        : url.pathname
            .split('/')
            .filter((s) => s !== '')
            .slice(1);
    const onboarding = this.accounts.handles(segments);
    const call: EmulatedCall = {
      pageId: onboarding ? (/^\d+$/.test(segments[0] ?? '') ? segments[0] : undefined) : route.pageId,
      path: url.pathname,
      params: recordedParams(url.searchParams),
      status: 0,
      at,
    };
    this.calls.push(call);
    const trace = traceId();
    const headers = graphHeaders(route.version ?? DEFAULT_VERSION, trace);
    const fault = this.faults.take(call.pageId);
    if (fault !== undefined) {
      this.applyFault(fault, req, res, call, headers, trace);
      return;
    }
    try {
      const body = onboarding
        ? this.accounts.answer(
            req,
            segments,
            url.searchParams,
            route.version ?? DEFAULT_VERSION,
            optionalToken(req, url),
          )
        : this.answer(req, url, route, headers, at);
      call.status = 200;
      writeAnswer(res, 200, JSON.stringify(body), headers);
    } catch (error: unknown) {
      const rejection =
        error instanceof GraphRejection
          ? error
          : new GraphRejection(
              {
                message: `Emulator failure: ${String(error)}`,
                type: 'OAuthException',
                code: 1,
                is_transient: true,
              },
              500,
            );
      call.status = rejection.status;
      writeAnswer(res, rejection.status, errorBody(rejection.error, trace), headers);
    }
  }

  private applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    call: EmulatedCall,
    headers: Record<string, string>,
    trace: string,
  ): void {
    switch (fault.kind) {
      case 'graph-error':
        call.status = fault.status;
        writeAnswer(res, fault.status, errorBody(fault.error, trace), { ...headers, ...fault.headers });
        return;
      case 'http':
        call.status = fault.status;
        writeAnswer(res, fault.status, fault.body, headers, fault.contentType ?? 'text/html; charset=utf-8');
        return;
      case 'malformed':
        call.status = 200;
        writeAnswer(res, 200, TRUNCATED_JSON, headers);
        return;
      case 'hang':
        // Never answered: close() destroys the socket.
        return;
      case 'reset':
        req.socket.destroy();
        return;
    }
  }

  private answer(req: IncomingMessage, url: URL, route: Route, headers: Record<string, string>, at: Date) {
    const { version, pageId } = checkRoute(route, req.method);
    const token = readToken(req, url.searchParams);
    const page = this.page(pageId);
    if (page === undefined) throw unknownPage(pageId);
    checkToken(page, token, (other) => this.isSomeonesToken(other));
    checkProof(page, token, url.searchParams, at);
    this.meter?.count(page.id, at, headers);
    return this.list(page, parseQuery(url.searchParams), version, token);
  }

  private isSomeonesToken(token: string): boolean {
    if (token.startsWith(emulatorToken(''))) return true;
    for (const page of this.pages.values()) if (page.accessToken === token) return true;
    return false;
  }

  private list(page: EmulatedPage, query: ListQuery, version: string, token: string): ListBody {
    const entries = page.conversations
      .filter(
        (c) =>
          c.platform === query.platform &&
          c.folder === query.folder &&
          (query.userId === undefined || c.participants.data.some((p) => p.id === query.userId)),
      )
      .map((conversation) => ({ conversation, position: positionOf(conversation) }))
      .sort((a, b) => order(a.position, b.position));
    const firstIndex = (test: (position: Position) => boolean): number => {
      const index = entries.findIndex((entry) => test(entry.position));
      return index === -1 ? entries.length : index;
    };
    const { cursor, limit } = query;
    let start = 0;
    let end = Math.min(entries.length, limit);
    if (cursor !== undefined) {
      const boundary = cursor.position;
      if (!entries.some((entry) => entry.conversation.id === boundary.id))
        throw invalidCursor(cursor.direction);
      if (cursor.direction === 'after') {
        start = firstIndex((position) => order(position, boundary) > 0);
        end = Math.min(entries.length, start + limit);
      } else {
        end = firstIndex((position) => order(position, boundary) >= 0);
        start = Math.max(0, end - limit);
      }
    }
    const forward = cursor?.direction !== 'before';
    if (forward && this.options.shortPageEvery !== undefined && limit >= 2 && end - start === limit) {
      const fullPages = (this.fullPages.get(page.id) ?? 0) + 1;
      this.fullPages.set(page.id, fullPages);
      if (fullPages % this.options.shortPageEvery === 0) end--;
    }
    const window = entries.slice(start, end);
    const first = window[0];
    const last = window[window.length - 1];
    if (first === undefined || last === undefined) return { data: [] };
    const link = (direction: 'after' | 'before', value: string): string => {
      const search = new URLSearchParams([['access_token', token], ...query.echo, [direction, value]]);
      return `${this.url}/${version}/${page.id}/conversations?${search.toString()}`;
    };
    const before = encodeCursor(first.position);
    const after = encodeCursor(last.position);
    const paging: NonNullable<ListBody['paging']> = { cursors: { before, after } };
    if (end < entries.length) paging.next = link('after', after);
    if (start > 0) paging.previous = link('before', before);
    return { data: window.map((entry) => project(entry.conversation, query.fields)), paging };
  }
}

/** The request's token, if it has one: the onboarding edges answer its absence themselves. */
function optionalToken(req: IncomingMessage, url: URL): string | undefined {
  try {
    return readToken(req, url.searchParams);
  } catch {
    return undefined;
  }
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return emulator;
}
