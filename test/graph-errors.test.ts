import { describe, expect, it } from 'vitest';
import { classifyGraphError, isRetryable, readGraphError } from '#lib/graph/graph-errors.js';
import { NO_USAGE } from '#lib/graph/usage.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const keep = (text: string) => text;

describe('Graph error classification: the code decides, never the HTTP status', () => {
  it.each([
    [100, 'invalid_request'],
    [2500, 'invalid_request'],
    [190, 'page_token_invalid'],
    [102, 'page_token_invalid'],
    [104, 'page_token_invalid'],
    [3, 'permission_denied'],
    [10, 'permission_denied'],
    [200, 'permission_denied'],
    [299, 'permission_denied'],
    [230, 'permission_denied'],
    [368, 'permission_denied'],
    [4, 'rate_limited'],
    [17, 'rate_limited'],
    [32, 'rate_limited'],
    [341, 'rate_limited'],
    [613, 'rate_limited'],
    [80001, 'rate_limited'],
    [80002, 'rate_limited'],
    [80006, 'rate_limited'],
    [1, 'upstream_error'],
    [2, 'upstream_error'],
    [300, 'upstream_error'],
    [12345, 'upstream_error'],
  ])('code %i is %s', (code, expected) => {
    const error = classifyGraphError({ code, message: 'm' }, NO_USAGE, NOW, keep);
    expect(error.code).toBe(expected);
    expect(error.graph).toEqual({ code });
  });

  it.each([
    ['code 1 at HTTP 500', { code: 1 }, 500, true],
    ['code 2 at HTTP 400', { code: 2 }, 400, true],
    ['is_transient at HTTP 400', { code: 9999, is_transient: true }, 400, true],
    ['no envelope at HTTP 502', {}, 502, true],
    ['an unclassified code at HTTP 500', { code: 12345 }, 500, true],
    ['a rate limit even when transient', { code: 4, is_transient: true }, 500, false],
    ['a rate limit at HTTP 403', { code: 4 }, 403, false],
    ['a token error at HTTP 500', { code: 190 }, 500, false],
    ['a permission error at HTTP 500', { code: 200 }, 500, false],
    ['an unclassified code at HTTP 400', { code: 12345 }, 400, false],
    ['no envelope at HTTP 404', {}, 404, false],
  ])('%s: retried is %s', (_name, error, status, expected) => {
    expect(isRetryable(error, status)).toBe(expected);
  });

  it.each([
    ['no regain time', NO_USAGE, 60],
    ['5 minutes to regain access', { maxPercent: 100, regainAccessMinutes: 5 }, 300],
    ['half a minute', { maxPercent: 100, regainAccessMinutes: 0.5 }, 30],
  ])('a throttle with %s ends %i seconds later', (_name, usage, seconds) => {
    const error = classifyGraphError({ code: 613 }, usage, NOW, keep);
    expect(error).toMatchObject({ retryAt: new Date(NOW.getTime() + seconds * 1000) });
  });

  it.each([
    ['not an object', 'oops', undefined],
    ['no error key', { data: [] }, undefined],
    ['error is a string', { error: 'bad' }, undefined],
    [
      'wrongly typed fields dropped',
      { error: { message: 7, code: '190', error_subcode: 463, is_transient: 'yes' } },
      { message: undefined, code: undefined, error_subcode: 463, is_transient: false },
    ],
  ])('reading the envelope: %s', (_name, body, expected) => {
    const read = readGraphError(body);
    if (expected === undefined) expect(read).toBeUndefined();
    else expect(read).toMatchObject(expected);
  });
});
