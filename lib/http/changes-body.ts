import type { ChangesBatch } from '../conversations/list-changes.js';
import { routePath } from '../domain/routes.js';
import type { ChangesBody } from '../domain/shapes/changes.js';

/**
 * The body of a changes answer: the changes, the cursor to ask from next (always: an idle Page's
 * cursor still moves on), and `next` when more are waiting now. `selfBaseUrl` is this API's public
 * origin and base path (see `self-url.ts`).
 */
export function changesBody(
  request: { pageId: string; limit: number },
  batch: ChangesBatch,
  selfBaseUrl: string,
): ChangesBody {
  const paging: ChangesBody['paging'] = { cursors: { after: batch.after } };
  if (batch.hasMore) {
    const query = new URLSearchParams({ limit: String(request.limit), after: batch.after });
    paging.next = `${selfBaseUrl}${routePath('listChanges', { pageId: request.pageId })}?${query.toString()}`;
  }
  // The feed holds what the event detail held; its shape is the contract's (ChangesBodySchema).
  return { data: batch.data as ChangesBody['data'], paging };
}
