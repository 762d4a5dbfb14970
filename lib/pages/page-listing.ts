import { forEachLimited } from '../domain/concurrency.js';
import { UnknownPageError } from '../domain/errors.js';
import { comparePageIds, type PageRecord, type PageView, pageView } from '../domain/page.js';
import type { PagesQuery } from '../domain/shapes/queries.js';
import type { CursorStore } from '../store/cursor-store.js';
import type { PageRegistry } from '../store/page-registry.js';

export interface PageListingDependencies {
  registry: PageRegistry;
  cursors: CursorStore;
  now: () => Date;
}

/** One listing of Pages, before the HTTP edge adds `next`/`previous` links from the cursors and the flags. */
export interface PagesListing {
  data: PageView[];
  cursors: { before?: string; after?: string };
  hasNext: boolean;
  hasPrevious: boolean;
}

/** Cursors of `GET /pages` are bound to this scope and the limit, like the conversations route's. */
const scopeOf = (limit: number): string => `PAGES#limit=${limit}`;

/**
 * The registered Pages by id, ascending, in the contract's shape. A cursor stands for the first or last
 * Page id of the answer it came from and is stored like the conversations route's, so callers never see
 * or forge a Page id cursor.
 */
export async function listPages(
  deps: PageListingDependencies,
  request: PagesQuery,
  /** The only Pages the caller may see (a JWT's Page claim), ascending; every Page when undefined. */
  visible?: readonly string[],
): Promise<PagesListing> {
  const scope = scopeOf(request.limit);
  const now = deps.now();
  let after: string | undefined;
  let before: string | undefined;
  if (request.after !== undefined)
    after = (await deps.cursors.resolve(request.after, 'after', scope, now)).innerCursor;
  if (request.before !== undefined)
    before = (await deps.cursors.resolve(request.before, 'before', scope, now)).innerCursor;
  const bounds = {
    limit: request.limit,
    ...(after === undefined ? {} : { after }),
    ...(before === undefined ? {} : { before }),
  };
  const listing =
    visible === undefined ? await deps.registry.list(bounds) : await listVisible(deps, bounds, visible);
  const first = listing.records[0];
  const last = listing.records.at(-1);
  if (first === undefined || last === undefined)
    return { data: [], cursors: {}, hasNext: false, hasPrevious: false };
  const cursors = await deps.cursors.save(scope, { before: first.pageId, after: last.pageId }, now);
  const backwards = before !== undefined;
  return {
    data: listing.records.map(pageView),
    cursors,
    hasNext: backwards ? true : listing.more,
    hasPrevious: backwards ? listing.more : after !== undefined,
  };
}

/** How many registry items a filtered listing reads at once. */
const READ_CONCURRENCY = 10;

/**
 * The registered Pages among `visible`, in the registry listing's shape. Reads only the listed ids
 * (one item each, at most `limit + 1` per round, until the answer is full or the ids run out), never the
 * registry's other Pages: its cost is bounded by the caller's own claim, not by the deployment's size.
 */
async function listVisible(
  deps: Pick<PageListingDependencies, 'registry'>,
  bounds: { limit: number; after?: string; before?: string },
  visible: readonly string[],
): Promise<{ records: PageRecord[]; more: boolean }> {
  const { limit, after, before } = bounds;
  const backwards = before !== undefined;
  const inRange = visible.filter(
    (id) =>
      (after === undefined || comparePageIds(id, after) > 0) &&
      (before === undefined || comparePageIds(id, before) < 0),
  );
  const order = backwards ? inRange.reverse() : inRange;
  const records: PageRecord[] = [];
  let next = 0;
  // One more than asked says whether there is more, as the unfiltered listing does.
  while (records.length <= limit && next < order.length) {
    const batch = order.slice(next, next + limit + 1 - records.length);
    next += batch.length;
    const found = new Map<string, PageRecord>();
    await forEachLimited(batch, READ_CONCURRENCY, async (pageId) => {
      const record = await deps.registry.view(pageId);
      if (record !== undefined) found.set(pageId, record);
    });
    for (const pageId of batch) {
      const record = found.get(pageId);
      if (record !== undefined) records.push(record);
    }
  }
  const more = records.length > limit;
  const page = records.slice(0, limit);
  return { records: backwards ? page.reverse() : page, more };
}

/** `GET /pages/{pageId}`: the Page in the contract's shape, or `404 unknown_page`. */
export async function getPage(
  deps: Pick<PageListingDependencies, 'registry'>,
  pageId: string,
): Promise<PageView> {
  const record = await deps.registry.view(pageId);
  if (record === undefined) throw new UnknownPageError(pageId);
  return pageView(record);
}
