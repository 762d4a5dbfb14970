import type { ConversationsQuery } from '../conversations/list-conversations.js';
import { InvalidRequestError, UnknownPageError } from '../domain/errors.js';
import {
  type ConversationField,
  DEFAULT_FIELDS,
  type Folder,
  isPageId,
  PLATFORM_FIELDS,
  type Platform,
} from '../domain/vocabulary.js';
import type { PageListRequest } from '../pages/page-listing.js';
import {
  CONVERSATIONS_QUERY,
  PAGE_ID_PARAMETER,
  PAGES_QUERY,
  type ParameterRule,
} from './query-parameters.js';

/** A validated `GET /pages/{pageId}/conversations`: live from Graph, or from the index. */
export type ConversationsRequest =
  | ({ source: 'graph' } & ConversationsQuery)
  | ({ source: 'index'; updatedSince: Date } & Omit<ConversationsQuery, 'userId'>);

const CONVERSATION_PARAMS: ReadonlySet<string> = new Set(Object.keys(CONVERSATIONS_QUERY));
// ISO 8601 with a zone; declared with the parameter, so that the OpenAPI document states this pattern.
const INSTANT = new RegExp(CONVERSATIONS_QUERY.updated_since.pattern);

/**
 * Parses the raw query string rather than API Gateway's `queryStringParameters`, which joins a
 * repeated parameter with commas and so would turn `limit=1&limit=2` into one odd value.
 */
export function readQuery(
  rawQueryString: string | undefined,
  allowed: ReadonlySet<string>,
): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(rawQueryString ?? '')) {
    if (!allowed.has(name)) throw new InvalidRequestError(name, `Unknown query parameter "${name}".`);
    if (params.has(name))
      throw new InvalidRequestError(name, `The query parameter "${name}" is given twice.`);
    params.set(name, value);
  }
  return params;
}

/**
 * The Page id of a path: anything but digits is a 400; digits in another form than the canonical one
 * (a leading zero, or longer than any id) name no Page, so they are `404 unknown_page` on every route,
 * before any store is read.
 */
export function readPageId(pathParameters: Record<string, string | undefined> | undefined): string {
  const pageId = pathParameters?.[PAGE_ID_PARAMETER.name];
  if (pageId === undefined || !/^[0-9]+$/.test(pageId)) {
    throw new InvalidRequestError(PAGE_ID_PARAMETER.name, 'The page id in the path must be digits only.');
  }
  // Echoed in the message: never more than an id's length of whatever the caller sent.
  if (!isPageId(pageId)) throw new UnknownPageError(pageId.length > 32 ? `${pageId.slice(0, 32)}…` : pageId);
  return pageId;
}

/** A value of an enumerated parameter, in any case; its rule's default when absent. */
function readEnum<T extends string>(
  params: Map<string, string>,
  name: string,
  rule: Extract<ParameterRule, { kind: 'enum' }>,
): T | undefined {
  const raw = params.get(name);
  if (raw === undefined) return rule.default as T | undefined;
  const value = raw.toLowerCase();
  if (!rule.values.includes(value)) {
    throw new InvalidRequestError(name, `"${name}" must be one of ${rule.values.join(', ')}.`);
  }
  return value as T;
}

function readInteger(
  params: Map<string, string>,
  name: string,
  rule: Extract<ParameterRule, { kind: 'integer' }>,
): number {
  const raw = params.get(name);
  if (raw === undefined) return rule.default;
  // Digits only: Number() would also take "1e2", " 5" or "0x10".
  const value = /^\d+$/.test(raw) && raw.length <= String(rule.maximum).length ? Number(raw) : Number.NaN;
  if (!(value >= rule.minimum && value <= rule.maximum)) {
    throw new InvalidRequestError(
      name,
      `"${name}" must be a whole number from ${rule.minimum} to ${rule.maximum}.`,
    );
  }
  return value;
}

function readDigits(
  params: Map<string, string>,
  name: string,
  rule: Extract<ParameterRule, { kind: 'digits' }>,
  message: string,
): string | undefined {
  const raw = params.get(name);
  if (raw !== undefined && !new RegExp(rule.pattern).test(raw)) throw new InvalidRequestError(name, message);
  return raw;
}

function readFields(
  params: Map<string, string>,
  platform: Platform,
  allowed: ReadonlySet<ConversationField>,
  defaults: readonly ConversationField[],
): ConversationField[] {
  const raw = params.get('fields');
  if (raw === undefined) return [...defaults];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !allowed.has(name as ConversationField));
  if (unknown !== undefined) {
    const label = unknown === '' ? 'an empty name' : `"${unknown}"`;
    throw new InvalidRequestError(
      'fields',
      `"fields" has ${label}, which ${platform} conversations here do not offer; allowed: ${[...allowed].join(', ')}.`,
    );
  }
  // Graph always returns `id`; keep it first so that every item can be told apart.
  return [...new Set<ConversationField>(['id', ...(names as ConversationField[])])];
}

function readInstant(params: Map<string, string>, name: string): Date | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const match = INSTANT.exec(raw);
  const date =
    match === null ? undefined : new Date(`${match[1]}T${match[2]}${normalizeZone(match[3] ?? '')}`);
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidRequestError(
      name,
      `"${name}" must be an ISO 8601 instant with a zone, e.g. 2026-11-20T10:00:00Z.`,
    );
  }
  return date;
}

function normalizeZone(zone: string): string {
  return zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** `after` or `before`, not both, never empty. */
function readCursors(params: Map<string, string>): { after?: string; before?: string } {
  const after = params.get('after');
  const before = params.get('before');
  if (after !== undefined && before !== undefined) {
    throw new InvalidRequestError('before', 'Give "after" or "before", not both.');
  }
  for (const [name, value] of [
    ['after', after],
    ['before', before],
  ] as const) {
    if (value === '') throw new InvalidRequestError(name, `"${name}" must be a cursor this API returned.`);
  }
  return { ...(after === undefined ? {} : { after }), ...(before === undefined ? {} : { before }) };
}

const PAGES_PARAMS: ReadonlySet<string> = new Set(Object.keys(PAGES_QUERY));

/** Validates `GET /pages`: `limit`, and one of `after` or `before`. */
export function parsePagesRequest(rawQueryString: string | undefined): PageListRequest {
  const params = readQuery(rawQueryString, PAGES_PARAMS);
  return { limit: readInteger(params, 'limit', PAGES_QUERY.limit), ...readCursors(params) };
}

/** Validates every parameter of the conversations route; the first fault is a 400 naming it. */
export function parseConversationsRequest(
  pathParameters: Record<string, string | undefined> | undefined,
  rawQueryString: string | undefined,
  indexedFields: ReadonlySet<ConversationField>,
): ConversationsRequest {
  const pageId = readPageId(pathParameters);
  const params = readQuery(rawQueryString, CONVERSATION_PARAMS);
  const platform =
    readEnum<Platform>(params, 'platform', CONVERSATIONS_QUERY.platform) ??
    CONVERSATIONS_QUERY.platform.default;
  const folder = readEnum<Folder>(params, 'folder', CONVERSATIONS_QUERY.folder);
  const userId = readDigits(
    params,
    'user_id',
    CONVERSATIONS_QUERY.user_id,
    '"user_id" must be a page- or Instagram-scoped user id (digits).',
  );
  const { after, before } = readCursors(params);
  const limit = readInteger(params, 'limit', CONVERSATIONS_QUERY.limit);
  const updatedSince = readInstant(params, 'updated_since');
  if (updatedSince === undefined) {
    const fields = readFields(params, platform, PLATFORM_FIELDS[platform], DEFAULT_FIELDS[platform]);
    return { source: 'graph', pageId, platform, folder, userId, limit, fields, after, before };
  }
  if (userId !== undefined) {
    throw new InvalidRequestError(
      'user_id',
      '"user_id" cannot be combined with "updated_since": the index is per folder.',
    );
  }
  const allowed = new Set([...indexedFields].filter((field) => PLATFORM_FIELDS[platform].has(field)));
  const fields = readFields(params, platform, allowed, [...allowed]);
  return { source: 'index', pageId, platform, folder, limit, fields, after, before, updatedSince };
}
