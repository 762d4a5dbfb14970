import type { PageView } from '../domain/page.js';
import type { PagesPage } from '../pages/page-listing.js';

/** The body of `GET /pages`: the Pages, with cursors and links shaped like the conversations route's. */
export interface PagesBody {
  data: PageView[];
  paging?: { cursors: { before?: string; after?: string }; next?: string; previous?: string };
}

/** Builds the body; `selfBaseUrl` is this API's public origin and base path (see api-handler.ts). */
export function pagesBody(page: PagesPage, limit: number, selfBaseUrl: string): PagesBody {
  const body: PagesBody = { data: page.data };
  if (page.cursors.before === undefined && page.cursors.after === undefined) return body;
  const paging: NonNullable<PagesBody['paging']> = { cursors: { ...page.cursors } };
  const link = (name: 'after' | 'before', cursor: string) =>
    `${selfBaseUrl}/pages?${new URLSearchParams({ limit: String(limit), [name]: cursor }).toString()}`;
  if (page.hasNext && page.cursors.after !== undefined) paging.next = link('after', page.cursors.after);
  if (page.hasPrevious && page.cursors.before !== undefined)
    paging.previous = link('before', page.cursors.before);
  body.paging = paging;
  return body;
}
