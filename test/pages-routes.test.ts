import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedPage } from '#lib/local/graph-emulator.js';
import { syncPage } from '#lib/sync/page-run.js';
import { type Harness, startHarness } from './support/harness.js';
import { pathOf } from './support/truth.js';

/**
 * The Page registry through the API and the sync: `GET /pages` pages by id with opaque cursors,
 * `GET /pages/{pageId}` shows what the sync and Graph told it, and a token Graph rejects costs no Graph
 * call on later runs until its secret changes.
 */

const PAGES = ['4100000000000003', '4100000000000001', '4100000000000002'];

interface PageBody {
  page_id: string;
  name: string | null;
  token: {
    status: string;
    error: { code: string; reason: string; graph: { error_subcode?: number } } | null;
  };
  sync: { status: string; last_outcome: string | null };
}

describe('GET /pages', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      emulator: { pages: PAGES.map((id) => seedPage(id, { perPartition: 2 })) },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      registered: true,
    });
  });
  afterAll(() => harness.close());

  it('lists the registered Pages by id, ascending, two at a time, with a next link that works', async () => {
    const first = await harness.call('/pages?limit=2');
    const firstBody = first.body as { data: PageBody[]; paging: { next: string } };
    const second = await harness.call(pathOf(firstBody.paging.next));
    const secondBody = second.body as { data: PageBody[]; paging?: { next?: string } };
    expect(first.status).toBe(200);
    expect([...firstBody.data, ...secondBody.data].map((page) => page.page_id)).toEqual([...PAGES].sort());
    expect(secondBody.paging?.next).toBeUndefined();
  });

  it.each([
    ['/pages?limit=0', 'limit'],
    ['/pages?limit=2&after=x&before=y', 'before'],
    ['/pages?page=2', 'page'],
  ])('%s is 400 naming %s', async (path, parameter) => {
    const answer = await harness.call(path);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: { parameter: string } }).error.parameter).toBe(parameter);
  });

  it('refuses a cursor it did not give out', async () => {
    const answer = await harness.call('/pages?after=forged');
    expect((answer.body as { error: { code: string } }).error.code).toBe('invalid_cursor');
  });

  it('answers 404 unknown_page for a Page not registered', async () => {
    const answer = await harness.call('/pages/4100000000000009');
    expect(answer.status).toBe(404);
    expect((answer.body as { error: { code: string } }).error.code).toBe('unknown_page');
  });

  it('shows the name Graph gave and the last run after a sync', async () => {
    const pageId = PAGES[0] as string;
    await syncPage(harness.services.sync, pageId);
    const answer = await harness.call(`/pages/${pageId}`);
    const page = answer.body as PageBody;
    expect(page.name).toBe(harness.emulator.pages.get(pageId)?.name);
    expect(page.token.status).toBe('valid');
    expect(page.sync).toMatchObject({ status: 'idle', last_outcome: 'complete' });
  });
});

describe('a token Graph rejects', () => {
  it('shows invalid with its subcode and costs no Graph call on later runs or live requests', async () => {
    // Prepare
    const pageId = PAGES[1] as string;
    const harness = await startHarness({
      emulator: { pages: [seedPage(pageId, { perPartition: 2 })] },
      env: { SYNC_PLATFORMS: 'messenger', SYNC_FOLDERS: 'inbox' },
      registered: true,
    });
    try {
      harness.emulator.inject({
        kind: 'graph-error',
        status: 400,
        times: 2,
        error: {
          message: 'Error validating access token: Session has expired',
          type: 'OAuthException',
          code: 190,
          error_subcode: 463,
        },
      });
      // Act: the run that meets the rejection, then two scheduled runs.
      const rejected = await syncPage(harness.services.sync, pageId);
      harness.emulator.resetCalls();
      const later = [
        await syncPage(harness.services.sync, pageId),
        await syncPage(harness.services.sync, pageId),
      ];
      const callsLater = harness.emulator.callCount(pageId);
      const live = await harness.call(`/pages/${pageId}/conversations`);
      const page = (await harness.call(`/pages/${pageId}`)).body as PageBody;
      // Assess
      expect(rejected.outcome).toBe('failed');
      expect(page.token.status).toBe('invalid');
      expect(page.token.error).toMatchObject({
        code: 'page_token_invalid',
        reason: 'expired',
        graph: { error_subcode: 463 },
      });
      expect(later.map((run) => run.outcome)).toEqual(['skipped', 'skipped']);
      expect(callsLater).toBe(0);
      expect(live.status).toBe(502);
      expect(harness.emulator.callCount(pageId)).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
