import { describe, expect, it, test } from 'vitest';
import { InvalidRequestError } from '#lib/domain/errors.js';
import { ConversationsQuerySchema, parseQuery } from '#lib/domain/shapes/queries.js';
import { parseConversationsRequest, parsePagesRequest } from '#lib/http/request-params.js';

/**
 * The query shapes as the request parser reads them: the raw query string (`readQuery`: repeated and
 * unknown names), then the shape. The conversations query's values are table-tested in
 * api-request-params.test.ts; here, what the shape itself decides.
 */

const PAGE = { pageId: '1000000000000001' };

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

describe('the conversations query shape', () => {
  test('refuses a parameter it does not know, naming it', () => {
    // Act
    const error = refusal(() => parseQuery(ConversationsQuerySchema, { platform: 'messenger', token: 'x' }));
    // Assess
    expect({ parameter: error.parameter, message: error.message }).toEqual({
      parameter: 'token',
      message: 'Unknown query parameter "token".',
    });
  });

  test('of several faults, names the first in the order the document lists the parameters', () => {
    // Act
    const error = refusal(() => parseConversationsRequest(PAGE, 'before=&limit=0&platform=whatsapp'));
    // Assess
    expect(error.parameter).toBe('platform');
  });
});

describe('the Pages query shape', () => {
  it.each([
    ['', { limit: 25 }],
    ['limit=7', { limit: 7 }],
    ['after=abc&limit=2', { limit: 2, after: 'abc' }],
    ['before=abc', { limit: 25, before: 'abc' }],
  ])('"%s" reads as %o', (query, expected) => {
    expect(parsePagesRequest(query)).toEqual(expected);
  });

  it.each([
    ['limit', 'limit=0', '"limit" must be a whole number from 1 to 100.'],
    ['limit', 'limit=x', '"limit" must be a whole number from 1 to 100.'],
    ['before', 'after=a&before=b', 'Give "after" or "before", not both.'],
    ['after', 'after=', '"after" must be a cursor this API returned.'],
    ['platform', 'platform=messenger', 'Unknown query parameter "platform".'],
    ['limit', 'limit=1&limit=2', 'The query parameter "limit" is given twice.'],
  ])('a bad %s is refused naming it (?%s)', (parameter, query, message) => {
    // Act
    const error = refusal(() => parsePagesRequest(query));
    // Assess
    expect({ parameter: error.parameter, message: error.message }).toEqual({ parameter, message });
  });
});
