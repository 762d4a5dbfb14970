import { createHash } from 'node:crypto';
import type { CursorStore, ResolvedCursor, StoredCursors } from '../store/cursor-store.js';

/** The cursor a request continues from, in the API's opaque form, as both listing routes take it. */
export interface PagingQuery {
  after?: string | undefined;
  before?: string | undefined;
}

/** The cursor steps of one listing request, bound to its scope. */
export interface CursorPaging {
  /** The inner cursor (Graph's or the index's) the request continues from; undefined on a first page. */
  resolve(): Promise<ResolvedCursor | undefined>;
  /** Stores this answer's inner cursors; returns the API cursors that stand for them. */
  save(inner: StoredCursors): Promise<StoredCursors>;
}

/**
 * Binds cursors to the listing (`kind`: live or index), the page and everything in the query but the
 * cursor itself, so that a cursor used with another page, platform, folder, user, limit or field list
 * is refused instead of silently paging a different list.
 */
export function cursorScope(kind: 'live' | 'index', parts: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, ...parts]))
    .digest('base64url');
}

/**
 * Cursor handling shared by the live and the indexed listing: one scope, the request's cursor resolved
 * in its direction (an `after` cursor given as `before` is refused), the answer's cursors saved.
 */
export function cursorPaging(store: CursorStore, scope: string, query: PagingQuery, now: Date): CursorPaging {
  return {
    resolve: async () => {
      if (query.after !== undefined) return store.resolve(query.after, 'after', scope, now);
      if (query.before !== undefined) return store.resolve(query.before, 'before', scope, now);
      return undefined;
    },
    save: (inner) => store.save(scope, inner, now),
  };
}

/** The inner cursor as a Graph or index query parameter: `{after: ...}`, `{before: ...}` or nothing. */
export function continueFrom(cursor: ResolvedCursor | undefined): StoredCursors {
  return cursor === undefined ? {} : { [cursor.direction]: cursor.innerCursor };
}
