import { readFileSync } from 'node:fs';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { describe, expect, it, test } from 'vitest';
import { describeError } from '#lib/domain/error-body.js';
import {
  InvalidRequestError,
  PageTokenInvalidError,
  RateLimitedError,
  UnavailableError,
  UpstreamError,
} from '#lib/domain/errors.js';
import { parseGraphTime } from '#lib/domain/graph-time.js';
import { type PageRecord, pageView, tokenHealthError } from '#lib/domain/page.js';
import { ROUTES } from '#lib/domain/routes.js';
import { API_VERSION, openApiDocument } from '#lib/http/openapi.js';
import { lintOpenApi } from './support/lint-openapi.js';
import { schemaChecker } from './support/openapi-validator.js';

const validate = schemaChecker();
type Operation = {
  operationId: string;
  summary: string;
  description: string;
  tags: readonly string[];
  security: readonly unknown[];
};
const operations = Object.entries(openApiDocument().paths).flatMap(([path, item]) =>
  Object.entries(item as unknown as Record<string, Operation>).map(([method, operation]) => ({
    path,
    method,
    operation,
  })),
);
const parameter = (path: string, name: string) =>
  (
    openApiDocument().paths[path]?.get as unknown as
      | { parameters: Array<{ name: string; schema: unknown }> }
      | undefined
  )?.parameters.find((p) => p.name === name)?.schema;

describe('the OpenAPI document', () => {
  test("info.version is package.json's version", () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    // Assess
    expect(openApiDocument().info.version).toBe(manifest.version);
    expect(API_VERSION).toBe(manifest.version);
  });

  test("passes Redocly's recommended rules with no error and no warning", () => {
    // Act
    const { status, output } = lintOpenApi();
    // Assess
    expect(output).toContain('Your API description is valid');
    expect(status, output).toBe(0);
  });

  test('every operation has a unique id, a summary, a description, declared tags and its security', () => {
    const declaredTags = new Set(openApiDocument().tags.map((tag) => tag.name));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, operation } of operations) {
      expect(operation.summary, path).toBeTruthy();
      expect(operation.description, path).toBeTruthy();
      for (const tag of operation.tags) expect(declaredTags, path).toContain(tag);
      // Public only where Meta must reach it; everything else behind the deployment's authorizer.
      expect(operation.security, path).toEqual(
        ROUTES.find((route) => route.path === path)?.auth === 'public'
          ? []
          : [{ awsSigV4: [] }, { jwtBearer: [] }],
      );
    }
  });

  test('generated types declare every property: no object comes out as Record<string, never>', async () => {
    // Act
    const types = astToString(await openapiTS(structuredClone(openApiDocument()) as unknown as OpenAPI3));
    // Assess
    // A property typed Record<string, never> is an object whose schema declares nothing.
    expect(types).not.toMatch(/\w\??: Record<string, never>/);
    expect(types).toMatch(/Participant: \{[^}]*username\?: string;/);
  });

  it.each([
    ['platform', 'messenger', true],
    ['platform', 'MESSENGER', true],
    ['platform', 'InStAgRaM', true],
    ['platform', 'messengers', false],
    ['platform', 'whatsapp', false],
    ['folder', 'PAGE_DONE', true],
    ['folder', 'page-done', false],
    ['folder', 'Spam', true],
  ])('the %s parameter takes %s: %s (the API lowercases it)', (name, value, accepted) => {
    const ajv = schemaChecker();
    const schema = parameter('/pages/{pageId}/conversations', name);
    expect(schema).toBeDefined();
    expect(ajv.schema(schema, value)).toBe(accepted);
  });

  it.each([
    ['2026-11-20T10:00:00Z', true],
    ['2026-11-20T10:00:00+0000', true],
    ['2026-11-20T10:00+01:00', true],
    ['2026-11-20T10:00:00.123456789Z', true],
    ['2026-11-20', false],
    ['2026-11-20 10:00:00Z', false],
    ['2026-11-20T10:00:00', false],
  ])('updated_since %s matches its documented pattern: %s', (value, accepted) => {
    const ajv = schemaChecker();
    expect(ajv.schema(parameter('/pages/{pageId}/conversations', 'updated_since'), value)).toBe(accepted);
  });

  it.each([
    ['2026-11-20T10:00:00+0000', true],
    ['2026-11-20T10:00:00Z', true],
    ['2026-11-20T10:00:00.000+00:00', true],
    ['2026-11-20T10:00+0000', false],
    ['1', false],
  ])("GraphTime %s: as Graph's parser says (%s), and +0000 is no RFC 3339 date-time", (time, valid) => {
    expect(parseGraphTime(time) !== undefined).toBe(valid);
    expect(validate('GraphTime', time).valid).toBe(valid);
  });

  test('a Graph time is not a date-time, which is why GraphTime is a pattern', () => {
    const ajv = schemaChecker();
    expect(ajv.schema({ type: 'string', format: 'date-time' }, '2026-11-20T10:00:00+0000')).toBe(false);
  });

  it.each([
    ['invalid_request with parameter', new InvalidRequestError('limit', 'bad')],
    ['rate_limited with retry', new RateLimitedError('slow down', new Date('2026-11-20T10:05:00Z'))],
    ['upstream_error with graph', new UpstreamError('x', { graph: { code: 2, fbtrace_id: 'AbC123' } })],
    ['unavailable', new UnavailableError()],
    ['a bug', new TypeError('secret detail')],
  ])('the error of %s fits the Error schema', (_, error) => {
    const body = { error: describeError(error, new Date('2026-11-20T10:00:00Z')) };
    const result = validate('Error', body);
    expect(result.valid, result.errors).toBe(true);
  });

  const record = (health: Partial<PageRecord['health']>, sync?: PageRecord['sync']): PageRecord => ({
    pageId: '123',
    name: 'Acme Shoes',
    instagramAccountId: undefined,
    token: { kind: 'page-secret' },
    health: {
      status: 'unchecked',
      checkedAt: undefined,
      error: undefined,
      invalidAtVersion: undefined,
      ...health,
    },
    sync,
    registeredAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
  });
  const rejected = (subcode?: number) =>
    tokenHealthError(
      new PageTokenInvalidError('Graph rejected it', {
        graph: subcode === undefined ? { code: 190 } : { code: 190, error_subcode: subcode },
      }),
    );
  it.each([
    ['an unchecked Page', record({})],
    [
      'a valid Page with a sync',
      record(
        { status: 'valid', checkedAt: '2026-11-20T10:00:00.000Z' },
        { status: 'idle', syncedAt: '2026-11-20T10:00:00.000Z', lastOutcome: 'complete' },
      ),
    ],
    [
      'a Page whose token expired (463)',
      record({ status: 'invalid', checkedAt: '2026-11-20T10:00:00.000Z', error: rejected(463) }),
    ],
    [
      'a Page rejected without a subcode',
      record({ status: 'invalid', checkedAt: '2026-11-20T10:00:00.000Z', error: rejected() }),
    ],
  ])('the view of %s fits the Page schema', (_, page) => {
    const result = validate('Page', pageView(page));
    expect(result.valid, result.errors).toBe(true);
  });
});
