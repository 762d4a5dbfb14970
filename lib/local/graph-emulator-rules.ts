/**
 * Everything the emulator refuses, the way Graph refuses it: the error envelope, the checks of path,
 * token, appsecret_proof and parameters, the per-page rate limit, and the faults a test queues to make
 * Graph misbehave on purpose.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CONVERSATION_FIELDS,
  DEFAULT_LIMIT,
  FOLDERS,
  type Folder,
  graphPlatform,
  MAX_LIMIT,
  PLATFORM_FIELDS,
  PLATFORMS,
  type Platform,
} from '../domain/vocabulary.js';
import { decodeCursor, type EmulatedPage, type Position } from './graph-emulator-seed.js';

export interface GraphErrorFields {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  is_transient?: boolean;
}

export type Fault = { pageId?: string; times?: number } & (
  | { kind: 'graph-error'; status: number; error: GraphErrorFields; headers?: Record<string, string> }
  | { kind: 'http'; status: number; body: string; contentType?: string }
  | { kind: 'malformed' }
  | { kind: 'hang' }
  | { kind: 'reset' }
);

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

/** A body cut off mid-way, as a proxy or a dropped connection leaves it. */
export const TRUNCATED_JSON =
  '{"data":[{"id":"t_10000000000001","updated_time":"2026-11-20T10:00:00+0000"},{"id":"t_1000';

/** Graph's fbtrace_id: eleven characters of base64url. */
export function traceId(): string {
  return randomBytes(9).toString('base64url').slice(0, 11);
}

/** The headers Graph puts on every answer, errors included. */
export function graphHeaders(version: string, trace: string): Record<string, string> {
  const requestId = `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
  return { 'x-fb-trace-id': trace, 'x-fb-request-id': requestId, 'facebook-api-version': version };
}

export function writeAnswer(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
  contentType = JSON_CONTENT_TYPE,
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function errorBody(error: GraphErrorFields, trace: string): string {
  return JSON.stringify({ error: { ...error, fbtrace_id: trace } });
}

/** An answer in Graph's error envelope; thrown while a request is handled. */
export class GraphRejection extends Error {
  constructor(
    readonly error: GraphErrorFields,
    readonly status = 400,
  ) {
    super(error.message);
  }
}

/** Graph's "(#100) ..." rejections of a parameter. */
function paramError(message: string): GraphRejection {
  return new GraphRejection({ message, type: 'OAuthException', code: 100 });
}

export function invalidCursor(direction: 'after' | 'before'): GraphRejection {
  return paramError(`(#100) The ${direction} cursor is invalid`);
}

/** Queued faults, taken in order by the first request each one matches. */
export class FaultQueue {
  private readonly queue: Array<{ fault: Fault; left: number }> = [];

  push(fault: Fault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  take(pageId: string | undefined): Fault | undefined {
    const index = this.queue.findIndex(({ fault }) => fault.pageId === undefined || fault.pageId === pageId);
    const entry = this.queue[index];
    if (entry === undefined) return undefined;
    entry.left--;
    if (entry.left <= 0) this.queue.splice(index, 1);
    return entry.fault;
  }
}

export interface Route {
  version: string | undefined;
  pageId: string | undefined;
  /** The path components Graph does not know, when it does not. */
  unknown: string | undefined;
}

const VERSION_PATTERN = /^v\d+\.\d+$/;

export function parseRoute(pathname: string): Route {
  const segments = pathname.split('/').filter((s) => s !== '');
  const first = segments[0];
  const version = first !== undefined && VERSION_PATTERN.test(first) ? first : undefined;
  const rest = version === undefined ? segments : segments.slice(1);
  const pageId = rest.length >= 2 ? rest[0] : undefined;
  if (version !== undefined && rest.length === 2 && rest[1] === 'conversations') {
    return { version, pageId, unknown: undefined };
  }
  return { version, pageId, unknown: `/${(rest.length >= 2 ? rest.slice(1) : rest).join('/')}` };
}

export function checkRoute(route: Route, method: string | undefined): { version: string; pageId: string } {
  const { version, pageId, unknown } = route;
  if (unknown !== undefined || version === undefined || pageId === undefined) {
    throw new GraphRejection({
      message: `Unknown path components: ${unknown ?? '/'}`,
      type: 'OAuthException',
      code: 2500,
    });
  }
  if (method !== 'GET') {
    const message = `Unsupported ${(method ?? 'unknown').toLowerCase()} request.`;
    throw new GraphRejection({ message, type: 'GraphMethodException', code: 100 });
  }
  return { version, pageId };
}

export function readToken(req: IncomingMessage, search: URLSearchParams): string {
  const header = req.headers.authorization;
  const fromHeader = header === undefined ? undefined : /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header)?.[1];
  const param = search.get('access_token');
  const token = fromHeader ?? (param === '' ? null : param);
  if (token === null) {
    const message = 'An access token is required to request this resource.';
    throw new GraphRejection({ message, type: 'OAuthException', code: 104 });
  }
  return token;
}

export function unknownPage(pageId: string): GraphRejection {
  return new GraphRejection({
    message: `Unsupported get request. Object with ID '${pageId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });
}

/** `isSomeonesToken`: whether the token is a real one, only not this page's (Graph can parse it). */
export function checkToken(
  page: EmulatedPage,
  token: string,
  isSomeonesToken: (token: string) => boolean,
): void {
  if (token === page.accessToken) return;
  if (isSomeonesToken(token)) {
    throw new GraphRejection({
      message:
        'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 460,
    });
  }
  const message = 'Invalid OAuth access token - Cannot parse access token';
  throw new GraphRejection({ message, type: 'OAuthException', code: 190 });
}

const PROOF_WINDOW_SECONDS = 300;

/** Meta's time-stamped appsecret_proof: HMAC-SHA256 of `token|time`, valid for five minutes. */
export function checkProof(page: EmulatedPage, token: string, search: URLSearchParams, at: Date): void {
  if (page.appSecret === undefined) return;
  const proof = search.get('appsecret_proof');
  if (proof === null || proof === '') {
    const message = 'API calls from the server require an appsecret_proof argument';
    throw new GraphRejection({ message, type: 'GraphMethodException', code: 100 });
  }
  const time = search.get('appsecret_time') ?? '';
  const fresh = /^\d+$/.test(time) && Math.abs(at.getTime() / 1000 - Number(time)) <= PROOF_WINDOW_SECONDS;
  const expected = Buffer.from(createHmac('sha256', page.appSecret).update(`${token}|${time}`).digest('hex'));
  const given = Buffer.from(proof.toLowerCase());
  if (!fresh || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    const message = 'Invalid appsecret_proof provided in the API argument';
    throw new GraphRejection({ message, type: 'GraphMethodException', code: 100 });
  }
}

export interface RateLimit {
  callsPerWindow: number;
  windowSeconds: number;
  regainMinutes: number;
}

/** Graph's per-page limit: a fixed window of calls, then a block of `regainMinutes`. */
export class RateMeter {
  private readonly meters = new Map<string, { windowStart: number; count: number; blockedUntil: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** Counts the call and adds usage headers; throws 613 while the page is blocked. */
  count(pageId: string, at: Date, headers: Record<string, string>): void {
    const { limit } = this;
    const t = at.getTime();
    let meter = this.meters.get(pageId);
    const windowOver = meter !== undefined && t - meter.windowStart >= limit.windowSeconds * 1000;
    const blockOver = meter !== undefined && meter.blockedUntil !== 0 && t >= meter.blockedUntil;
    if (meter === undefined || (meter.blockedUntil === 0 && windowOver) || blockOver) {
      meter = { windowStart: t, count: 0, blockedUntil: 0 };
      this.meters.set(pageId, meter);
    }
    if (meter.blockedUntil === 0) {
      meter.count++;
      if (meter.count > limit.callsPerWindow) meter.blockedUntil = t + limit.regainMinutes * 60_000;
    }
    const blocked = meter.blockedUntil !== 0;
    const computed = Math.round((meter.count / limit.callsPerWindow) * 100);
    const percent = blocked ? Math.max(100, computed) : computed;
    // Graph leaves the usage headers out near zero usage.
    if (percent > 0) {
      const regain = blocked ? Math.max(1, Math.ceil((meter.blockedUntil - t) / 60_000)) : 0;
      const figures = {
        call_count: percent,
        total_cputime: Math.round(percent / 4),
        total_time: Math.round(percent / 2),
      };
      headers['x-app-usage'] = JSON.stringify(figures);
      headers['x-business-use-case-usage'] = JSON.stringify({
        [pageId]: [{ type: 'pages', ...figures, estimated_time_to_regain_access: regain }],
      });
    }
    if (blocked) {
      const message = '(#613) Calls to this api have exceeded the rate limit.';
      throw new GraphRejection({ message, type: 'OAuthException', code: 613 });
    }
  }
}

export interface ListQuery {
  platform: Platform;
  folder: Folder;
  userId: string | undefined;
  limit: number;
  fields: string[];
  cursor: { direction: 'after' | 'before'; position: Position } | undefined;
  /** What paging URLs carry over from the request. */
  echo: Array<[string, string]>;
}

const KNOWN_FIELDS = new Set<string>(CONVERSATION_FIELDS);
/** Graph's Instagram conversations have no link, snippet, senders, subject or thread key. */
const INSTAGRAM_FIELDS: ReadonlySet<string> = PLATFORM_FIELDS.instagram;
/** Graph's own default, not the product's: without `fields`, Graph returns only these. */
const GRAPH_DEFAULT_FIELDS = ['id', 'updated_time'];

/** Reads the edge's parameters as Graph does; unknown parameters are ignored, as Graph ignores them. */
export function parseQuery(search: URLSearchParams): ListQuery {
  const echo: Array<[string, string]> = [];
  const given = (name: string): string | undefined => {
    const value = search.get(name);
    if (value === null || value === '') return undefined;
    echo.push([name, value]);
    return value;
  };
  const platformText = given('platform') ?? 'MESSENGER';
  const platform = PLATFORMS.find((p) => graphPlatform(p) === platformText.toUpperCase());
  if (platform === undefined) throw paramError('(#100) param platform must be one of {MESSENGER, INSTAGRAM}');
  const folder = FOLDERS.find((f) => f === (given('folder') ?? 'inbox'));
  if (folder === undefined)
    throw paramError('(#100) param folder must be one of {inbox, other, page_done, spam}');
  const userId = given('user_id');
  if (userId !== undefined && !/^\d+$/.test(userId)) {
    throw paramError('(#100) Param user_id must be a valid ID string (e.g., "123")');
  }
  const limitText = search.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText) || Number(limitText) === 0) {
      throw paramError('(#100) Param limit must be a positive integer');
    }
    limit = Math.min(MAX_LIMIT, Number(limitText));
  }
  echo.push(['limit', String(limit)]);
  const allowed = platform === 'instagram' ? INSTAGRAM_FIELDS : KNOWN_FIELDS;
  const fields = [...new Set((given('fields') ?? '').split(',').map((f) => f.trim()))].filter(
    (f) => f !== '',
  );
  const unknownField = fields.find((field) => !allowed.has(field));
  if (unknownField !== undefined) {
    throw paramError(
      `(#100) Tried accessing nonexisting field (${unknownField}) on node type (Conversation)`,
    );
  }
  const cursor = readCursor(search);
  return {
    platform,
    folder,
    userId,
    limit,
    fields: fields.length > 0 ? fields : GRAPH_DEFAULT_FIELDS,
    cursor,
    echo,
  };
}

function readCursor(search: URLSearchParams): ListQuery['cursor'] {
  for (const direction of ['after', 'before'] as const) {
    const text = search.get(direction);
    if (text === null || text === '') continue;
    const position = decodeCursor(text);
    if (position === undefined) throw invalidCursor(direction);
    return { direction, position };
  }
  return undefined;
}
