import {
  type ChangeEventDetailType,
  type ConversationChangeDetail,
  detailTypeOf,
} from '../domain/change-event.js';
import { InvalidCursorError, UnknownPageError } from '../domain/errors.js';
import type { ChangeFeed } from '../store/change-feed.js';
import { parseFeedKey } from '../store/keys.js';
import type { PageRegistry } from '../store/page-registry.js';

/**
 * `GET /pages/{pageId}/changes`: every write of a Page's index, oldest first, each once, from the
 * changes feed (`change-feed.ts`, which holds back what an earlier write could still precede). The
 * cursor is the position the feed gave, in the clear but opaque to callers and bound to the Page: no
 * cursor item is stored, so an answer costs the feed's two Queries and nothing more.
 */

export interface ChangesDependencies {
  feed: Pick<ChangeFeed, 'read' | 'oldestKept' | 'keepDays'>;
  registry: Pick<PageRegistry, 'get'>;
}

export interface ChangesRequest {
  pageId: string;
  limit: number;
  after?: string | undefined;
}

/** One change as listed: the event's detail under its `DetailType`. */
export type ListedChange = { detail_type: ChangeEventDetailType } & ConversationChangeDetail;

export interface ChangesBatch {
  data: ListedChange[];
  /** Where to ask from next: always given, so that a caller polling an idle Page keeps a fresh cursor. */
  after: string;
  /** Whether more changes were left for the next answer (else the next waits for new writes). */
  hasMore: boolean;
}

/** The cursor's version and form: `c1.<base64url of [pageId, position]>`. */
const CURSOR_VERSION = 'c1';

export function encodeChangesCursor(pageId: string, position: string): string {
  return `${CURSOR_VERSION}.${Buffer.from(JSON.stringify([pageId, position])).toString('base64url')}`;
}

/** The feed position of a cursor this route gave for this Page; `invalid_cursor` for anything else. */
export function decodeChangesCursor(cursor: string, pageId: string): string {
  const [version, payload, ...rest] = cursor.split('.');
  let value: unknown;
  try {
    value =
      version === CURSOR_VERSION && rest.length === 0
        ? JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
        : undefined;
  } catch {
    value = undefined;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    value[0] !== pageId ||
    typeof value[1] !== 'string' ||
    parseFeedKey(value[1]) === undefined
  ) {
    throw new InvalidCursorError(
      'The cursor is not one this route gave for this page. Start again without it.',
    );
  }
  return value[1];
}

/** One answer of the changes feed, or `404 unknown_page` for a Page the registry does not hold. */
export async function listChanges(deps: ChangesDependencies, request: ChangesRequest): Promise<ChangesBatch> {
  const from = request.after === undefined ? undefined : decodeChangesCursor(request.after, request.pageId);
  const oldest = deps.feed.oldestKept();
  if (from !== undefined && from < oldest) {
    throw new InvalidCursorError(
      `The cursor is older than the ${deps.feed.keepDays} days changes are kept (CHANGES_DAYS): some may be gone. ` +
        'Re-read the conversations with updated_since, then walk the changes again without a cursor.',
    );
  }
  // The registry says whether the Page exists; the feed is read meanwhile (nothing of it is shown otherwise).
  const [record, batch] = await Promise.all([
    deps.registry.get(request.pageId),
    deps.feed.read(request.pageId, from ?? oldest, request.limit),
  ]);
  if (record === undefined) throw new UnknownPageError(request.pageId);
  return {
    data: batch.changes.map((detail) => ({ detail_type: detailTypeOf(detail), ...detail })),
    after: encodeChangesCursor(request.pageId, batch.next),
    hasMore: batch.more,
  };
}
