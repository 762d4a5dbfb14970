import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#lib/domain/routes.js';
import { seedPage } from '#lib/local/graph-emulator.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * A Page id has one form on every route: digits without a leading zero. The registry pads ids with zeros
 * in its keys, so `0<id>` once reached the registered Page on `GET /pages/{pageId}` while the other
 * routes said 404. Every route of one Page, read from the route table so that a new one is covered
 * too, answers `404 unknown_page` for another spelling of a registered Page's id, over HTTP.
 */

const PAGE = '4400000000000001';

const pageRoutes = ROUTES.filter((route) => route.path.includes('{pageId}')).map(
  (route) => [route.method, route.path] as [string, string],
);

describe('the Page id in the path', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      emulator: { pages: [seedPage(PAGE, { perPartition: 2 })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      registered: true,
    });
  });
  afterAll(() => harness.close());

  it('covers every route of one Page', () => {
    expect(pageRoutes).toEqual(
      expect.arrayContaining([
        ['GET', '/pages/{pageId}'],
        ['GET', '/pages/{pageId}/conversations'],
        ['GET', '/pages/{pageId}/sync'],
        ['POST', '/pages/{pageId}/sync'],
      ]),
    );
  });

  const spellings: Array<[string, string]> = [
    ['a leading zero', `0${PAGE}`],
    ['two leading zeros', `00${PAGE}`],
    ['zero', '0'],
    ['more digits than any id', '1'.repeat(33)],
  ];

  it.each(
    pageRoutes.flatMap(([method, template]) => spellings.map(([what, id]) => [method, template, what, id])),
  )('%s %s with %s is 404 unknown_page', async (method, template, _, id) => {
    const answer = await harness.call(template.replace('{pageId}', id), { method });
    expect(answer.status).toBe(404);
    expect((answer.body as { error: { code: string } }).error.code).toBe('unknown_page');
  });

  /** What a route needs besides the Page to answer at all (the erasure's person, in the body). */
  const bodies: Record<string, string> = {
    'POST /pages/{pageId}/erasures': JSON.stringify({ person_id: '1' }),
  };

  it.each(pageRoutes)('%s %s with the id in its one form answers', async (method, template) => {
    const body = bodies[`${method} ${template}`];
    const answer = await harness.call(template.replace('{pageId}', PAGE), {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    expect(answer.status).toBeLessThan(300);
  });

  it.each(pageRoutes)(
    '%s %s with a path that is not digits is 400 naming pageId',
    async (method, template) => {
      const answer = await harness.call(template.replace('{pageId}', '12a'), { method });
      expect(answer.status).toBe(400);
      expect((answer.body as { error: { parameter: string } }).error.parameter).toBe('pageId');
    },
  );
});
