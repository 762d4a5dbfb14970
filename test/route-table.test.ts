import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it, test } from 'vitest';
import {
  lambdaServing,
  pathMatches,
  ROUTES,
  routeLabel,
  routePath,
  routesOf,
  WEBHOOK_PATH,
} from '#lib/domain/routes.js';

/**
 * The route table (lib/domain/routes.ts) is the one place a route is written: the routers, the OpenAPI
 * document and the CDK routes read it, and every message or description that names a route
 * interpolates it. The last test keeps it so: a route literal anywhere else in lib/, cdk/ or
 * functions/ fails it, naming the file and line.
 */

const ROOT = join(import.meta.dirname, '..');

/**
 * Files that may spell routes: the table itself, the client types generated from the document, and the
 * Graph emulator, which plays Meta (its paths are Graph's, not this API's).
 */
const EXEMPT = [
  /^lib\/domain\/routes\.ts$/,
  /^lib\/client\/api-types\.ts$/,
  /^lib\/local\/graph-emulator[^/]*\.ts$/,
];

/** The first segments of the table's paths: `/pages`, `/health`, ... */
const FIRST_SEGMENTS = [...new Set(ROUTES.map((route) => route.path.split('/')[1] ?? ''))];

/**
 * A route in a string: one of those segments after a `/` that starts a path (at the start of the
 * string, after a space, a quote, a `}` of a template or a method as in an execute-api ARN's
 * `GET/pages/123`), and not inside a file path (`lib/pages/`, `../pages/`). Comments are not strings:
 * they may name routes in words.
 */
const ROUTE_IN_TEXT = new RegExp(
  `(?:^|[^\\w.#/-]|GET|POST)/(?:${FIRST_SEGMENTS.map((segment) => segment.replace(/[.]/g, '\\.')).join('|')})(?![\\w.-])`,
);

/** Every string and template piece of a TypeScript file but its module specifiers, with its line. */
function stringsOf(file: string, text: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ line, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function typeScriptFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('the route table', () => {
  test('names each handler once: the key is the operation id and the router key', () => {
    const keys = ROUTES.map((route) => route.handler);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('declares each method and path once', () => {
    const labels = ROUTES.map((route) => routeLabel(route.handler));
    expect(new Set(labels).size).toBe(labels.length);
  });

  test('gives every public route its own throttle, and every authorized route a scope', () => {
    for (const route of ROUTES) {
      if (route.auth === 'public') expect('throttle' in route, routeLabel(route.handler)).toBe(true);
      else expect(route.scope, routeLabel(route.handler)).toMatch(/^[a-z]+$/);
    }
  });

  test('has the webhook receiver, and only it, serve the webhook path: GET and POST', () => {
    const onPath = ROUTES.filter((route) => route.path === WEBHOOK_PATH);
    expect(onPath.map((route) => route.method)).toEqual(['GET', 'POST']);
    expect(new Set(onPath.map((route) => route.lambda))).toEqual(new Set(['webhook-receiver']));
    expect(routesOf('webhook-receiver').map((route) => route.path)).toContain(WEBHOOK_PATH);
  });

  it.each([
    ['startSync', { pageId: '123' }, '/pages/123/sync'],
    ['getPage', { pageId: '1/../2?x' }, '/pages/1%2F..%2F2%3Fx'],
  ] as const)('fills %s with %o as one segment each: %s', (key, values, path) => {
    expect(routePath(key, values)).toBe(path);
  });

  it.each([
    ['/pages/{pageId}/sync', '/pages/123/sync', true],
    ['/pages/{pageId}/sync', '/pages/123/sync/', true],
    ['/pages/{pageId}/sync', '/pages//sync', false],
    ['/pages/{pageId}/sync', '/pages/1/2/sync', false],
    ['/openapi.json', '/openapiXjson', false],
    ['/pages', '/pagesX', false],
  ])('%s matches %s: %s', (template, path, matches) => {
    expect(pathMatches(template, path)).toBe(matches);
  });

  it.each([
    [WEBHOOK_PATH, 'webhook-receiver'],
    [`${WEBHOOK_PATH}/`, 'webhook-receiver'],
    ['/pages/123/conversations', 'api'],
    ['/nowhere', undefined],
  ])('has %s served by %s', (path, lambda) => {
    expect(lambdaServing(path)).toBe(lambda);
  });
});

describe('route strings', () => {
  test('the check finds a route however a string spells it', () => {
    const probe = [
      "const a = '/pages';",
      // A template with two interpolations (written with `$` + `{` so that this file has none).
      ['const b = `', '$', '{base}/pages/', '$', '{id}/sync`;'].join(''),
      "const c = 'refused: GET /health failed';",
      "const d = 'arn:aws:execute-api:r:1:api/*/GET/pages/123';",
      `const e = '${WEBHOOK_PATH}';`,
      "import { x } from '../pages/page-listing.js';",
      "const f = 'lib/pages/page-listing.ts and ../pages/x';",
      '// GET /pages in a comment',
      "const g = 'npm run pages -- add';",
    ].join('\n');
    const flagged = stringsOf('probe.ts', probe)
      .filter(({ text }) => ROUTE_IN_TEXT.test(text))
      .map(({ line }) => line);
    expect(flagged).toEqual([1, 2, 3, 4, 5]);
  });

  test('stand only in the route table: lib/, cdk/ and functions/ interpolate it', () => {
    // Prepare
    const files = ['lib', 'cdk', 'functions']
      .flatMap(typeScriptFiles)
      .filter((file) => !EXEMPT.some((pattern) => pattern.test(file)));
    // Act
    const literals = files.flatMap((file) =>
      stringsOf(file, readFileSync(join(ROOT, file), 'utf8'))
        .filter(({ text }) => ROUTE_IN_TEXT.test(text))
        .map(({ line, text }) => `${file}:${line}: ${text.slice(0, 100)}`),
    );
    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(literals).toEqual([]);
  });
});
