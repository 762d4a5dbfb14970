import { MAX_GRAPH_CURSOR_CHARS } from '../domain/conversation.js';
import { InvalidCursorError, InvalidRequestError, UpstreamError } from '../domain/errors.js';
import { GRAPH_INVALID_PARAMETER } from '../domain/graph-error-table.js';
import type { LiveConversationsRequest } from '../domain/shapes/queries.js';
import type { GraphConversation, GraphListPage, ListConversationsParams } from '../graph/graph-client.js';
import type { CursorStore, StoredCursors } from '../store/cursor-store.js';
import type { PageCredentials } from '../tokens/token-source.js';
import { presentableConversations } from './conversation-fields.js';
import { continueFrom, cursorPaging, cursorScope } from './cursor-paging.js';
import { callAsPage, type PageCallDependencies, refuseIfThrottled } from './page-call.js';

/** One batch of conversations with the API's own cursors. */
export interface ConversationsBatch {
  data: GraphConversation[];
  cursors: StoredCursors;
  hasNext: boolean;
  hasPrevious: boolean;
}

/** The part of the Graph client this service calls: tests and benches may hand in another. */
export interface ConversationsGraph {
  listConversations(
    credentials: PageCredentials,
    params: ListConversationsParams,
  ): Promise<GraphListPage<GraphConversation>>;
}

export interface ConversationsDependencies extends PageCallDependencies {
  graph: ConversationsGraph;
  cursors: CursorStore;
}

function liveScope(query: LiveConversationsRequest): string {
  return cursorScope('live', [
    query.pageId,
    query.platform,
    query.folder,
    query.userId,
    query.limit,
    query.fields,
  ]);
}

/**
 * Lists one page of a page's conversations from Graph: refuses a throttled page without calling Graph,
 * re-reads a token Graph rejects once (it may have been rotated), and records any throttle Graph names.
 */
export async function listConversations(
  deps: ConversationsDependencies,
  query: LiveConversationsRequest,
): Promise<ConversationsBatch> {
  const now = deps.now();
  await refuseIfThrottled(deps.backoff, query.pageId, now, deps.metrics);
  const paging = cursorPaging(deps.cursors, liveScope(query), query, now);
  // The token is usually cached; the cursor read is the request's one DynamoDB read. Run them together.
  const [credentials, cursor] = await Promise.all([deps.tokens.get(query.pageId), paging.resolve()]);
  const params: ListConversationsParams = {
    pageId: query.pageId,
    platform: query.platform,
    folder: query.folder,
    userId: query.userId,
    limit: query.limit,
    // Graph's time is asked for even when the caller did not: an item without a valid one is dropped.
    fields: query.fields.includes('updated_time') ? query.fields : [...query.fields, 'updated_time'],
    ...continueFrom(cursor),
  };
  const page = await callGraph(deps, query.pageId, credentials, params, cursor !== undefined);
  refuseOversizedCursors(page.cursors);
  return {
    data: presentableConversations(page.data, query.fields),
    cursors: await paging.save(page.cursors),
    hasNext: page.hasNext,
    hasPrevious: page.hasPrevious,
  };
}

/**
 * Graph's cursors are a few hundred characters. A huge one is a fault, not something to store under a
 * cursor item (DynamoDB's items stop at 400 KB): the caller gets Graph's failure, not ours.
 */
function refuseOversizedCursors(cursors: StoredCursors): void {
  for (const cursor of [cursors.before, cursors.after]) {
    if (cursor !== undefined && cursor.length > MAX_GRAPH_CURSOR_CHARS) {
      throw new UpstreamError(
        `Graph answered with a paging cursor of ${cursor.length} characters; this API keeps at most ${MAX_GRAPH_CURSOR_CHARS}.`,
      );
    }
  }
}

async function callGraph(
  deps: ConversationsDependencies,
  pageId: string,
  credentials: PageCredentials,
  params: ListConversationsParams,
  withCursor: boolean,
): Promise<GraphListPage<GraphConversation>> {
  try {
    const { answer } = await callAsPage(deps, pageId, credentials, (used) =>
      deps.graph.listConversations(used, params),
    );
    return answer;
  } catch (error: unknown) {
    if (withCursor && error instanceof InvalidRequestError && error.graph?.code === GRAPH_INVALID_PARAMETER) {
      // The query was already accepted on the first page; what changed is the cursor. Meta documents
      // that its cursors break when the conversation they point at moves or is deleted.
      throw new InvalidCursorError(
        'Graph no longer accepts this cursor (the conversation it pointed at may have moved or been deleted). Start again from the first page.',
        { cause: error, graph: error.graph },
      );
    }
    throw error;
  }
}
