import { describe, expect, expectTypeOf, it, test } from 'vitest';
import { InvalidRequestError } from '#lib/domain/errors.js';
import {
  type ConversationsQuery,
  ConversationsQuerySchema,
  type PagesQuery,
  PagesQuerySchema,
  parseQuery,
  queryParameterNames,
} from '#lib/domain/shapes/queries.js';
import { INDEXED_FIELDS } from '#lib/domain/vocabulary.js';
import {
  type ConversationsRequest,
  parseConversationsRequest,
  parsePagesRequest,
  readQuery,
} from '#lib/http/request-params.js';
import type { PageListRequest } from '#lib/pages/page-listing.js';

/**
 * Issue 17, item 1, before the wiring: the query schemas accept and refuse what the hand-written
 * parsers do, with the same result, the same parameter named and the same message. The raw query string
 * is read as the wiring will read it: `readQuery` (repeated and unknown names) with the schema's own
 * parameter names, then the schema. The cases are those of api-request-params.test.ts; the path's page
 * id (`readPageId`) is not a query parameter and stays as it is.
 */

const PAGE = { pageId: '1000000000000001' };
const INDEXED = new Set(INDEXED_FIELDS);

const today = (query: string) => parseConversationsRequest(PAGE, query, INDEXED);
const withShape = (query: string) => ({
  pageId: PAGE.pageId,
  ...parseQuery(
    ConversationsQuerySchema,
    Object.fromEntries(readQuery(query, queryParameterNames(ConversationsQuerySchema))),
  ),
});
const pagesWithShape = (query: string) =>
  parseQuery(PagesQuerySchema, Object.fromEntries(readQuery(query, queryParameterNames(PagesQuerySchema))));

/** The error `parse` throws; a parse that succeeds is a failure of the test. */
function refusal(parse: () => unknown): InvalidRequestError {
  let thrown: unknown;
  try {
    parse();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof InvalidRequestError)) throw new Error(`not refused as invalid_request: ${thrown}`);
  return thrown;
}

describe('the conversations query schema reads a query as the hand-written parser does', () => {
  it.each([
    ['', { source: 'graph', platform: 'messenger', limit: 25, folder: undefined, userId: undefined }],
    ['platform=INSTAGRAM', { platform: 'instagram', fields: ['id', 'updated_time', 'participants'] }],
    ['folder=Page_Done', { folder: 'page_done' }],
    ['user_id=42', { userId: '42' }],
    ['limit=1', { limit: 1 }],
    ['limit=100', { limit: 100 }],
    ['limit=007', { limit: 7 }],
    ['fields=snippet', { fields: ['id', 'snippet'] }],
    ['fields=snippet,id,snippet', { fields: ['id', 'snippet'] }],
    ['fields=%20snippet%20,link', { fields: ['id', 'snippet', 'link'] }],
    ['after=abc', { after: 'abc', before: undefined }],
    ['before=abc', { before: 'abc', after: undefined }],
    [
      'updated_since=2026-11-20T10:00:00%2B0000',
      { source: 'index', updatedSince: new Date('2026-11-20T10:00:00Z') },
    ],
    ['updated_since=2026-11-20T11:00%2B01:00', { updatedSince: new Date('2026-11-20T10:00:00Z') }],
    [
      'updated_since=2026-11-20T10:00:00Z&platform=instagram',
      { fields: ['id', 'updated_time', 'message_count', 'unread_count', 'participants'] },
    ],
    ['updated_since=2026-11-20T10:00:00.5Z&fields=snippet', { source: 'index', fields: ['id', 'snippet'] }],
  ])('"%s" reads as %o', (query, expected) => {
    // Act
    const read = withShape(query);
    // Assess: what the rule says, and exactly what the parser of today returns.
    expect(read).toMatchObject(expected);
    expect(read).toEqual(today(query));
  });

  it.each([
    ['platform', 'platform=whatsapp'],
    ['folder', 'folder=archive'],
    ['user_id', 'user_id=-1'],
    ['limit', 'limit=0'],
    ['limit', 'limit=101'],
    ['limit', 'limit=1e2'],
    ['limit', 'limit=0100'],
    ['limit', 'limit=%205'],
    ['limit', 'limit='],
    ['fields', 'fields=access_token'],
    ['fields', 'fields=snippet,'],
    ['fields', 'platform=instagram&fields=link'],
    ['before', 'after=a&before=b'],
    ['after', 'after='],
    ['before', 'before='],
    ['access_token', 'access_token=x'],
    ['folder', 'folder=inbox&folder=inbox'],
    ['updated_since', 'updated_since=2026-11-20'],
    ['updated_since', 'updated_since=2026-13-40T10:00:00Z'],
    ['user_id', 'updated_since=2026-11-20T10:00:00Z&user_id=1'],
    ['fields', 'updated_since=2026-11-20T10:00:00Z&fields=subject'],
  ])('a bad %s is refused naming it, with the same message (?%s)', (parameter, query) => {
    // Act
    const before = refusal(() => today(query));
    const now = refusal(() => withShape(query));
    // Assess
    expect(before.parameter).toBe(parameter);
    expect({ parameter: now.parameter, message: now.message }).toEqual({
      parameter,
      message: before.message,
    });
  });

  test('the schema itself refuses a parameter it does not know, naming it', () => {
    // Act
    const error = refusal(() => parseQuery(ConversationsQuerySchema, { platform: 'messenger', token: 'x' }));
    // Assess
    expect({ parameter: error.parameter, message: error.message }).toEqual({
      parameter: 'token',
      message: 'Unknown query parameter "token".',
    });
  });

  test('of several faults, the first in the order the document lists the parameters is named', () => {
    // Act
    const error = refusal(() => withShape('before=&limit=0&platform=whatsapp'));
    // Assess
    expect(error.parameter).toBe('platform');
  });
});

describe('the Pages query schema reads a query as the hand-written parser does', () => {
  it.each([
    ['', { limit: 25 }],
    ['limit=7', { limit: 7 }],
    ['after=abc&limit=2', { limit: 2, after: 'abc' }],
    ['before=abc', { limit: 25, before: 'abc' }],
  ])('"%s" reads as %o', (query, expected) => {
    // Act
    const read = pagesWithShape(query);
    // Assess
    expect(read).toEqual(expected);
    expect(read).toEqual(parsePagesRequest(query));
  });

  it.each([
    ['limit', 'limit=0'],
    ['limit', 'limit=x'],
    ['before', 'after=a&before=b'],
    ['after', 'after='],
    ['platform', 'platform=messenger'],
    ['limit', 'limit=1&limit=2'],
  ])('a bad %s is refused naming it, with the same message (?%s)', (parameter, query) => {
    // Act
    const before = refusal(() => parsePagesRequest(query));
    const now = refusal(() => pagesWithShape(query));
    // Assess
    expect(before.parameter).toBe(parameter);
    expect({ parameter: now.parameter, message: now.message }).toEqual({
      parameter,
      message: before.message,
    });
  });
});

test('the validated queries have the types the services take today', () => {
  // Checked by tsc (npm run lint): the page id and the query schema's output are a request the service
  // takes. (Not the reverse: today's type has optional keys where the output always has the key, and the
  // wiring derives ConversationsRequest from the shape.)
  const toToday = (request: { pageId: string } & ConversationsQuery): ConversationsRequest => request;
  expectTypeOf<PagesQuery>().toExtend<PageListRequest>();
  expectTypeOf<PageListRequest>().toExtend<PagesQuery>();
  // At run time: one of each source, as the handler will build it.
  expect(toToday(withShape('')).source).toBe('graph');
  expect(toToday(withShape('updated_since=2026-11-20T10:00:00Z')).source).toBe('index');
});
