import { UnknownPageError } from '../domain/errors.js';
import { type PageView, pageView } from '../domain/page.js';
import type { CursorStore } from '../store/cursor-store.js';
import type { PageRegistry } from '../store/page-registry.js';

export interface PageListingDependencies {
  registry: PageRegistry;
  cursors: CursorStore;
  now: () => Date;
}

export interface PageListRequest {
  limit: number;
  /** Opaque cursors this API gave out earlier. */
  after?: string | undefined;
  before?: string | undefined;
}

/** `GET /pages`, before the HTTP edge adds `next`/`previous` links from the cursors and the flags. */
export interface PagesPage {
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
export async function listPages(deps: PageListingDependencies, request: PageListRequest): Promise<PagesPage> {
  const scope = scopeOf(request.limit);
  const now = deps.now();
  let after: string | undefined;
  let before: string | undefined;
  if (request.after !== undefined)
    after = (await deps.cursors.resolve(request.after, 'after', scope, now)).innerCursor;
  if (request.before !== undefined)
    before = (await deps.cursors.resolve(request.before, 'before', scope, now)).innerCursor;
  const listing = await deps.registry.list({
    limit: request.limit,
    ...(after === undefined ? {} : { after }),
    ...(before === undefined ? {} : { before }),
  });
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

/** `GET /pages/{pageId}`: the Page in the contract's shape, or `404 unknown_page`. */
export async function getPage(
  deps: Pick<PageListingDependencies, 'registry'>,
  pageId: string,
): Promise<PageView> {
  const record = await deps.registry.get(pageId);
  if (record === undefined) throw new UnknownPageError(pageId);
  return pageView(record);
}
