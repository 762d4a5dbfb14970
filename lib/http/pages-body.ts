import { routePath } from '../domain/routes.js';
import type { PagesBody } from '../domain/shapes/pages.js';
import type { PagesListing } from '../pages/page-listing.js';

/**
 * The body of the Pages listing: the Pages, with cursors and links shaped like the conversations
 * route's; `selfBaseUrl` is this API's public origin and base path (see api-handler.ts).
 */
export function pagesBody(listing: PagesListing, limit: number, selfBaseUrl: string): PagesBody {
  const body: PagesBody = { data: listing.data };
  if (listing.cursors.before === undefined && listing.cursors.after === undefined) return body;
  const paging: NonNullable<PagesBody['paging']> = { cursors: { ...listing.cursors } };
  const link = (name: 'after' | 'before', cursor: string) =>
    `${selfBaseUrl}${routePath('listPages')}?${new URLSearchParams({ limit: String(limit), [name]: cursor }).toString()}`;
  if (listing.hasNext && listing.cursors.after !== undefined)
    paging.next = link('after', listing.cursors.after);
  if (listing.hasPrevious && listing.cursors.before !== undefined)
    paging.previous = link('before', listing.cursors.before);
  body.paging = paging;
  return body;
}
