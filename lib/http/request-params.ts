import { InvalidRequestError, UnknownPageError } from '../domain/errors.js';
import {
  ChangesQuerySchema,
  ConversationsQuerySchema,
  type ConversationsRequest,
  type PagesQuery,
  PagesQuerySchema,
  parseQuery,
  queryParameterNames,
  type SyncStartQuery,
  SyncStartQuerySchema,
} from '../domain/shapes/queries.js';
import { isPageId } from '../domain/vocabulary.js';
import { PAGE_ID_PARAMETER } from './path-parameters.js';

/**
 * Reads a request's path and query: the query with its shape (`lib/domain/shapes/queries.ts`), which
 * the OpenAPI document is emitted from too, so that the 400s and the document cannot disagree.
 */

const CONVERSATIONS_PARAMETERS = queryParameterNames(ConversationsQuerySchema);
const PAGES_PARAMETERS = queryParameterNames(PagesQuerySchema);
const SYNC_START_PARAMETERS = queryParameterNames(SyncStartQuerySchema);
const CHANGES_PARAMETERS = queryParameterNames(ChangesQuerySchema);

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
  const pageId = pathParameters?.[PAGE_ID_PARAMETER];
  if (pageId === undefined || !/^[0-9]+$/.test(pageId)) {
    throw new InvalidRequestError(PAGE_ID_PARAMETER, 'The page id in the path must be digits only.');
  }
  // Echoed in the message: never more than an id's length of whatever the caller sent.
  if (!isPageId(pageId)) throw new UnknownPageError(pageId.length > 32 ? `${pageId.slice(0, 32)}…` : pageId);
  return pageId;
}

/** Validates `GET /pages`' query: `limit`, and one of `after` or `before`. */
export function parsePagesRequest(rawQueryString: string | undefined): PagesQuery {
  return parseQuery(PagesQuerySchema, Object.fromEntries(readQuery(rawQueryString, PAGES_PARAMETERS)));
}

/** Validates the conversations route's path and query; the first fault is a 400 naming it. */
export function parseConversationsRequest(
  pathParameters: Record<string, string | undefined> | undefined,
  rawQueryString: string | undefined,
): ConversationsRequest {
  const pageId = readPageId(pathParameters);
  const params = Object.fromEntries(readQuery(rawQueryString, CONVERSATIONS_PARAMETERS));
  return { pageId, ...parseQuery(ConversationsQuerySchema, params) };
}

/** Validates `POST /pages/{pageId}/sync`'s query: `full`, which takes only `true`. */
export function parseSyncStartRequest(rawQueryString: string | undefined): SyncStartQuery {
  return parseQuery(
    SyncStartQuerySchema,
    Object.fromEntries(readQuery(rawQueryString, SYNC_START_PARAMETERS)),
  );
}

/** Validates `GET /pages/{pageId}/changes`' path and query: `limit` and `after`. */
export function parseChangesRequest(
  pathParameters: Record<string, string | undefined> | undefined,
  rawQueryString: string | undefined,
): { pageId: string; limit: number; after?: string | undefined } {
  const pageId = readPageId(pathParameters);
  const params = Object.fromEntries(readQuery(rawQueryString, CHANGES_PARAMETERS));
  return { pageId, ...parseQuery(ChangesQuerySchema, params) };
}
