import { describe, expect, it } from 'vitest';
import {
  GRAPH_CODES,
  GRAPH_ERROR_CLASSES,
  type GraphCodeRule,
  graphErrorSituation,
  TOKEN_REJECTION_REASONS,
} from '#lib/domain/graph-error-table.js';
import { tokenRejectionReason } from '#lib/domain/page.js';
import { classifyGraphError, isRetryable, readGraphError } from '#lib/graph/graph-errors.js';
import { NO_USAGE } from '#lib/graph/usage.js';
import { errorResponse } from '#lib/http/error-response.js';
import { responses } from '#lib/http/openapi-responses.js';
import { GRAPH_CODE_VALUES, graphCodeDimension } from '#lib/telemetry/metric-names.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const keep = (text: string) => text;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const codesOf = (rule: GraphCodeRule) => range(rule.code, rule.through ?? rule.code);

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
    [80003, 'rate_limited'],
    [80004, 'rate_limited'],
    [80007, 'rate_limited'],
    [80014, 'rate_limited'],
    [80000, 'upstream_error'],
    [80015, 'upstream_error'],
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

/**
 * The contract's errors table, written out here by hand and apart from lib/domain/graph-error-table.ts,
 * so that a wrong entry in that table fails a test instead of changing an answer.
 */
const CONTRACT: ReadonlyArray<[string, number, readonly number[]]> = [
  ['invalid_request', 400, [100, 2500]],
  ['page_token_invalid', 502, [190, 102, 104]],
  ['permission_denied', 403, [3, 10, ...range(200, 299), 230, 368]],
  ['rate_limited', 429, [4, 17, 32, 341, 613, ...range(80001, 80014)]],
  ['upstream_error', 502, [1, 2]],
];
const contractAnswer = new Map(
  CONTRACT.flatMap(([errorCode, status, codes]) => codes.map((code) => [code, { errorCode, status }])),
);

describe("the Graph error table is the contract's", () => {
  it.each(CONTRACT)('%s (%i): every code the contract names is classified so', (errorCode, status, codes) => {
    for (const code of codes) {
      const error = classifyGraphError({ code }, NO_USAGE, NOW, keep);
      expect({ code, errorCode: error.code }).toEqual({ code, errorCode });
      expect(errorResponse(error, NOW).statusCode).toBe(status);
    }
  });

  it('names no code the contract does not, nor gives one another answer', () => {
    const declared = GRAPH_CODES.flatMap((rule) =>
      codesOf(rule).map((code) => ({ code, answer: GRAPH_ERROR_CLASSES[rule.class] })),
    );
    for (const { code, answer } of declared) {
      expect({ code, ...contractAnswer.get(code) }).toEqual({
        code,
        errorCode: answer.errorCode,
        status: answer.status,
      });
    }
    expect(new Set(declared.map(({ code }) => code))).toEqual(new Set(contractAnswer.keys()));
  });

  it('declares each single code once, and ranges that do not overlap', () => {
    const singles = GRAPH_CODES.filter((rule) => rule.through === undefined).map((rule) => rule.code);
    expect(new Set(singles).size).toBe(singles.length);
    const ranges = GRAPH_CODES.filter((rule) => rule.through !== undefined);
    for (const rule of ranges) {
      expect(rule.through).toBeGreaterThan(rule.code);
      const others = ranges.filter((other) => other !== rule);
      expect(
        others.filter((other) => other.code <= (rule.through ?? 0) && rule.code <= (other.through ?? 0)),
      ).toEqual([]);
    }
  });
});

describe('every code of the table, as its readers see it', () => {
  const rows = GRAPH_CODES.flatMap((rule) => codesOf(rule).map((code) => [code, rule.class] as const));

  it.each(rows)('code %i (%s): answer, status, Retry-After, retries and metric value', (code, graphClass) => {
    // Prepare
    const rule = GRAPH_ERROR_CLASSES[graphClass];
    // Act
    const error = classifyGraphError({ code, error_subcode: 7, message: 'm' }, NO_USAGE, NOW, keep);
    const answer = errorResponse(error, NOW);
    // Assess
    expect(error.code).toBe(rule.errorCode);
    expect(error.graph).toEqual({ code, error_subcode: 7 });
    expect(answer.statusCode).toBe(rule.status);
    expect(answer.headers?.['retry-after'] !== undefined).toBe(rule.retryAfter);
    expect(isRetryable({ code }, 400)).toBe(rule.retry === 'always');
    expect(isRetryable({ code, is_transient: true }, 500)).toBe(rule.retry !== 'never');
    expect(GRAPH_CODE_VALUES).toContain(graphCodeDimension(code));
    expect(graphCodeDimension(code)).not.toBe('other');
  });

  it('GraphCode values are distinct', () => {
    expect(new Set(GRAPH_CODE_VALUES).size).toBe(GRAPH_CODE_VALUES.length);
  });

  it.each(Object.entries(TOKEN_REJECTION_REASONS))('token subcode %s is the reason %s', (subcode, reason) => {
    expect(tokenRejectionReason(Number(subcode))).toBe(reason);
  });

  it.each([
    ['InvalidRequest', 'bad_request'],
    ['PermissionDenied', 'permission'],
    ['RateLimited', 'rate_limit'],
    ['BadGateway', 'token_invalid'],
    ['BadGateway', 'transient'],
  ] as const)('the OpenAPI answer %s names the %s codes', (answer, graphClass) => {
    expect(responses[answer].description).toContain(graphErrorSituation(graphClass));
  });

  it.each([
    ['PermissionDenied', '230'],
    ['RateLimited', '80001-80014'],
  ] as const)('the OpenAPI answer %s names %s', (answer, code) => {
    expect(responses[answer].description).toContain(code);
  });
});
