import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PageTokenInvalidError } from '#lib/domain/errors.js';
import { tokenHealthError } from '#lib/domain/page.js';
import { DEMO_PAGE_IDS } from '#lib/local/graph-emulator-seed.js';
import { type Harness, startHarness } from './support/harness.js';
import { answerChecker, fetched } from './support/openapi-validator.js';
import { pathOf } from './support/truth.js';

/** `GET /pages` and `GET /pages/{pageId}` through the real handler, checked against the document. */
describe('the OpenAPI document is true to what the Pages routes answer', () => {
  let harness: Harness;
  const check = answerChecker();
  const call = async (path: string) => fetched(await harness.call(path));
  beforeAll(async () => {
    harness = await startHarness();
    for (const pageId of DEMO_PAGE_IDS) {
      await harness.services.registry.register({
        pageId,
        name: `Page ${pageId}`,
        token: { kind: 'page-secret' },
      });
    }
    const [, second] = DEMO_PAGE_IDS;
    const rejection = new PageTokenInvalidError('Graph rejected it', {
      graph: { code: 190, error_subcode: 463 },
    });
    await harness.services.registry.markTokenInvalid(second, tokenHealthError(rejection), 'v1');
  });
  afterAll(() => harness.close());

  test('a first and a next page of Pages', async () => {
    // Act
    const first = await harness.call('/pages?limit=2');
    const next = await call(pathOf((first.body as { paging: { next: string } }).paging.next));
    // Assess
    check('/pages', 'get', fetched(first));
    check('/pages', 'get', next);
  });

  test('a Page whose token Graph rejected shows it with its reason', async () => {
    // Act
    const answer = await call(`/pages/${DEMO_PAGE_IDS[1]}`);
    // Assess
    const page = check('/pages/{pageId}', 'get', answer) as { token: { error: { reason: string } | null } };
    expect(page.token.error?.reason).toBe('expired');
  });

  test.each([
    ['/pages?limit=0', '/pages', 400],
    ['/pages?after=x&before=y', '/pages', 400],
    [`/pages/${DEMO_PAGE_IDS[0]}?x=1`, '/pages/{pageId}', 400],
    ['/pages/12345', '/pages/{pageId}', 404],
  ])('%s answers %s %i as documented', async (path, template, status) => {
    // Act
    const answer = await call(path);
    // Assess
    expect(answer.status).toBe(status);
    check(template, 'get', answer);
  });
});
