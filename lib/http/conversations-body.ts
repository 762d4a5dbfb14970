import type { ConversationsPage } from '../conversations/list-conversations.js';
import type { ConversationsRequest } from './request-params.js';

/** The body of a conversations answer: Graph's own shape, so that existing Graph code reads it. */
export interface ConversationsBody {
  data: ConversationsPage['data'];
  paging?: { cursors: { before?: string; after?: string }; next?: string; previous?: string };
  synced_at?: string | null;
}

/**
 * The query that `next` and `previous` repeat: every parameter in its normalized form, so that a link
 * followed later lands in the same cursor scope as the request that made it.
 */
function linkQuery(request: ConversationsRequest): URLSearchParams {
  const query = new URLSearchParams({ platform: request.platform });
  if (request.folder !== undefined) query.set('folder', request.folder);
  if (request.source === 'graph' && request.userId !== undefined) query.set('user_id', request.userId);
  if (request.source === 'index') query.set('updated_since', request.updatedSince.toISOString());
  query.set('limit', String(request.limit));
  query.set('fields', request.fields.join(','));
  return query;
}

/** Builds the body; `selfBaseUrl` is this API's public origin and base path (see api-handler.ts). */
export function conversationsBody(
  request: ConversationsRequest,
  page: ConversationsPage,
  selfBaseUrl: string,
  syncedAt?: string | null,
): ConversationsBody {
  const body: ConversationsBody = { data: page.data };
  if (page.cursors.before !== undefined || page.cursors.after !== undefined) {
    const paging: NonNullable<ConversationsBody['paging']> = { cursors: { ...page.cursors } };
    const link = (name: 'after' | 'before', cursor: string) => {
      const query = linkQuery(request);
      query.set(name, cursor);
      return `${selfBaseUrl}/pages/${request.pageId}/conversations?${query.toString()}`;
    };
    if (page.hasNext && page.cursors.after !== undefined) paging.next = link('after', page.cursors.after);
    if (page.hasPrevious && page.cursors.before !== undefined)
      paging.previous = link('before', page.cursors.before);
    body.paging = paging;
  }
  if (syncedAt !== undefined) body.synced_at = syncedAt;
  return body;
}
