import type { ConversationsBatch } from '../conversations/list-conversations.js';
import { routePath } from '../domain/routes.js';
import type { ConversationsBody } from '../domain/shapes/conversations.js';
import type { ConversationsRequest } from '../domain/shapes/queries.js';

/**
 * The query that `next` and `previous` repeat: every parameter in its normalized form, so that a link
 * followed later lands in the same cursor scope as the request that made it.
 */
function linkQuery(request: ConversationsRequest): URLSearchParams {
  const query = new URLSearchParams({ platform: request.platform });
  if (request.folder !== undefined) query.set('folder', request.folder);
  if (request.source === 'graph' && request.userId !== undefined) query.set('user_id', request.userId);
  if (request.source === 'index') query.set('updated_since', request.updatedSince.toISOString());
  if (request.source === 'index' && request.includeRemoved) query.set('include_removed', 'true');
  query.set('limit', String(request.limit));
  query.set('fields', request.fields.join(','));
  return query;
}

/**
 * The body of a conversations answer, Graph's own shape so that existing Graph code reads it;
 * `selfBaseUrl` is this API's public origin and base path (see api-handler.ts).
 */
export function conversationsBody(
  request: ConversationsRequest,
  batch: ConversationsBatch,
  selfBaseUrl: string,
  syncedAt?: string | null,
): ConversationsBody {
  const body: ConversationsBody = { data: batch.data };
  if (batch.cursors.before !== undefined || batch.cursors.after !== undefined) {
    const paging: NonNullable<ConversationsBody['paging']> = { cursors: { ...batch.cursors } };
    const link = (name: 'after' | 'before', cursor: string) => {
      const query = linkQuery(request);
      query.set(name, cursor);
      return `${selfBaseUrl}${routePath('listConversations', { pageId: request.pageId })}?${query.toString()}`;
    };
    if (batch.hasNext && batch.cursors.after !== undefined) paging.next = link('after', batch.cursors.after);
    if (batch.hasPrevious && batch.cursors.before !== undefined)
      paging.previous = link('before', batch.cursors.before);
    body.paging = paging;
  }
  if (syncedAt !== undefined) body.synced_at = syncedAt;
  return body;
}
