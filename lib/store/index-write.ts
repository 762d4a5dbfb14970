import type { RemovalReason } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { Platform } from '../domain/vocabulary.js';
import { markKey, OUTBOX_MARK_NAMES } from './change-outbox.js';
import { type ConversationItem, NO_PREVIOUS, type PendingEntry } from './conversation-item.js';
import { type IndexPartition, indexKeys } from './keys.js';
import { epochSeconds, namesOf, type Update, type Values } from './table.js';

/**
 * The two UpdateItems of the index: a conversation written live (created, updated, moved or brought
 * back from a tombstone) and a live conversation removed to a tombstone. Each raises `rev` and sets
 * `written_at` in the same write; with an outbox, each also appends itself to the item's pending writes
 * (`pendingMark`), whose mirror for the writer is `afterWrite` in `conversation-item.ts`.
 */

const NAMES = namesOf<ConversationItem>({
  '#gpk': 'gsi1pk',
  '#gsk': 'gsi1sk',
  '#doc': 'doc',
  '#ut': 'updated_time',
  '#rev': 'rev',
  '#wa': 'written_at',
  '#rm': 'removed_time',
  '#reason': 'reason',
  '#exp': 'expires_at',
});

/** The names an expression uses, of those given. */
function usedNames(names: Record<`#${string}`, string>, expression: string): Record<`#${string}`, string> {
  return Object.fromEntries(
    Object.entries(names).filter(([name]) => new RegExp(`${name}(?![A-Za-z0-9_])`).test(expression)),
  );
}

/**
 * The outbox mark, in the same SET: SET reads the item as it was, so `#prev` and `#pkey` keep what was
 * held before the first undelivered write, `#esk` that write's place in write order, and `#pend` grows
 * by this write. Undefined without an outbox (nothing marked, nothing delivered).
 */
function pendingMark(
  pageId: string,
  platform: Platform,
  conversationId: string,
  entry: PendingEntry,
): { set: string; names: Record<`#${string}`, string>; values: Values } {
  return {
    set:
      ', #epk = :epk, #esk = if_not_exists(#esk, :esk), #prev = if_not_exists(#prev, if_not_exists(#ut, :none))' +
      ', #pkey = if_not_exists(#pkey, if_not_exists(#gpk, :none)), #pend = list_append(if_not_exists(#pend, :empty), :entry)',
    names: OUTBOX_MARK_NAMES,
    values: {
      ':epk': indexKeys.pendingEvents(pageId),
      ':esk': markKey(entry.w, platform, conversationId),
      ':none': NO_PREVIOUS,
      ':empty': [],
      ':entry': [JSON.stringify(entry)],
    },
  };
}

/**
 * A conversation written into a live folder. It applies when the item is new, a tombstone whose time
 * is not later than the conversation's (Graph lists it again), or live and older, or as old but in
 * another folder or with other content (two changes within Graph's one second); anything else (a
 * replay, an older answer) changes nothing.
 */
export function liveWrite(
  partition: IndexPartition,
  conversation: Conversation,
  writtenAt: number,
  marked: boolean,
): { update: Update; entry: PendingEntry } {
  const entry: PendingEntry = {
    w: writtenAt,
    f: partition.folder,
    u: conversation.updated_time,
    n: Object.keys(conversation),
  };
  const values: Values = {
    ':gpk': indexKeys.indexedFolder(partition),
    ':gsk': indexKeys.updatedOrder(conversation),
    ':doc': JSON.stringify(conversation),
    ':ut': conversation.updated_time,
    ':zero': 0,
    ':one': 1,
    ':now': writtenAt,
  };
  let set =
    'SET #gpk = :gpk, #gsk = :gsk, #doc = :doc, #ut = :ut, #rev = if_not_exists(#rev, :zero) + :one, #wa = :now';
  let names = NAMES;
  if (marked) {
    const mark = pendingMark(partition.pageId, partition.platform, conversation.id, entry);
    set += mark.set;
    names = { ...names, ...mark.names };
    Object.assign(values, mark.values);
  }
  return {
    entry,
    update: {
      update: `${set} REMOVE #rm, #reason, #exp`,
      // A tombstone's order key is its removal's, which is not earlier than its updated_time: where the
      // live clauses hold for one, so does its own. Kept flat: the embedded DynamoDB's parser takes
      // time exponential in the nesting of parentheses (a level more cost 0.5 s a write).
      condition:
        'attribute_not_exists(#gsk) OR #gsk < :gsk OR (#gsk = :gsk AND (#gpk <> :gpk OR #doc <> :doc))' +
        ' OR (attribute_exists(#rm) AND #ut <= :ut)',
      names,
      values,
      returns: 'ALL_OLD',
    },
  };
}

/**
 * A live conversation made a tombstone: its doc (snippet, names, participants) goes, ids and times
 * stay, and it moves to its folder's tombstones in `byUpdatedTime`. Only while it is still live and at
 * `revision`, so that nothing written since the caller read it is removed.
 */
export function tombstoneWrite(
  target: IndexPartition,
  conversationId: string,
  revision: number,
  removal: { reason: RemovalReason; removedAt: Date; expiresAt: Date; writtenAt: number },
  marked: boolean,
): { update: Update; entry: PendingEntry } {
  const entry: PendingEntry = { w: removal.writtenAt, r: removal.reason, t: removal.removedAt.toISOString() };
  const values: Values = {
    ':gpk': indexKeys.removedFolder(target),
    ':gsk': indexKeys.removedOrder(removal.removedAt, conversationId),
    ':rev': revision,
    ':one': 1,
    ':now': removal.writtenAt,
    ':rm': entry.t,
    ':reason': removal.reason,
    ':exp': epochSeconds(removal.expiresAt),
  };
  let set =
    'SET #gpk = :gpk, #gsk = :gsk, #rev = #rev + :one, #wa = :now, #rm = :rm, #reason = :reason, #exp = :exp';
  let names = NAMES;
  if (marked) {
    const mark = pendingMark(target.pageId, target.platform, conversationId, entry);
    set += mark.set;
    names = { ...names, ...mark.names };
    Object.assign(values, mark.values);
  }
  const update = `${set} REMOVE #doc`;
  const condition = '#rev = :rev AND attribute_not_exists(#rm)';
  return {
    entry,
    update: {
      update,
      condition,
      // DynamoDB refuses a name the expressions do not use: `#ut` is only the mark's.
      names: usedNames(names, `${update} ${condition}`),
      values,
      returns: 'ALL_OLD',
    },
  };
}
