import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type ChangeEventSink,
  type ConversationChangeDetail,
  changeDetail,
  changeEventId,
  type IndexChangeRecord,
} from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { type ChangeFeed, changeKeyOf } from './change-feed.js';
import { type ConversationItem, type PendingChange, pendingChangesOf } from './conversation-item.js';
import { feedKeys, indexKeys, parseFeedKey, type TableKey } from './keys.js';
import { namesOf, type Stored, Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The outbox of change events and feed records, kept on the indexed conversations themselves (no
 * transactions): the same UpdateItem that changes a conversation appends the write to the item's
 * `pending` list (a small entry: folder, time, field names, or a removal's reason) and marks it with the
 * sparse `pendingEvents` keys (`gsi2sk`: its oldest pending write's place in write order). Delivering an
 * item's pending writes means: record each in the changes feed, publish each event, then clear the
 * whole mark, on condition that the item's revision is still the one whose list was delivered (a newer
 * write keeps it, and its writer or recovery delivers the lot).
 *
 * Invariants:
 * 1. No write is lost between the index and its event or feed record: until cleared, it is in the
 *    sparse index, and `recover` (at the start of every sync run and refresh of the Page) delivers it.
 * 2. Whoever clears a list delivered every write in it, each with the `event_id` `<id>@<revision>` and
 *    the detail derived from the entry (`pendingChangesOf`), so a write delivered twice is the same
 *    event twice (at least once) and the same feed record.
 * 3. A write that changes nothing (a replayed Graph page, a duplicate webhook) marks nothing.
 *
 * The one corner where a detail is not the one written: a write whose writer died before recording it
 * in the feed, and which another write of the same conversation superseded before recovery. The item
 * then holds only the later content, so that write goes out with the conversation's id and time, and
 * `truncated_fields` naming the rest (as an event too large for EventBridge does). Its writer, and the
 * next one (from the item as it was), know it whole; recovery finds it in the feed once recorded.
 */

export interface ChangeOutboxOptions {
  client: DynamoDBClient;
  tableName: string;
  sink: ChangeEventSink;
  feed: ChangeFeed;
  logger?: Logger;
  now?: () => Date;
  /**
   * Recovery leaves writes younger than this to the writer that is about to deliver them, so that a
   * refresh beside a running sync does not routinely send its events twice. Default 30 s.
   */
  recoveryAgeMs?: number;
}

/** One item's undelivered writes, and the revision its list ends at (the condition of clearing). */
export interface PendingItem {
  key: TableKey;
  revision: number;
  changes: PendingChange[];
}

/** The attributes of an item's outbox mark, as the index write sets them. */
export const OUTBOX_MARK_NAMES = namesOf<ConversationItem>({
  '#epk': 'gsi2pk',
  '#esk': 'gsi2sk',
  '#pend': 'pending',
  '#prev': 'event_prev',
  '#pkey': 'event_prev_key',
});

/** What clearing a mark names: the mark, 0.2's `pending_since`, and the revision it is conditional on. */
const CLEAR_NAMES = namesOf<ConversationItem>({
  ...OUTBOX_MARK_NAMES,
  '#since': 'pending_since',
  '#rev': 'rev',
});

export class ChangeOutbox {
  private readonly table: Table;
  private readonly now: () => Date;
  private readonly recoveryAgeMs: number;

  constructor(private readonly options: ChangeOutboxOptions) {
    this.table = new Table(options.client, options.tableName);
    this.now = options.now ?? (() => new Date());
    this.recoveryAgeMs = options.recoveryAgeMs ?? 30_000;
  }

  /**
   * Records, publishes and clears the items' pending writes. Never throws: what is not delivered stays
   * marked for `recover`, and the index writes that caused it have already succeeded. Returns how many
   * items were cleared.
   */
  async deliver(items: readonly PendingItem[]): Promise<number> {
    if (items.length === 0) return 0;
    let details: ConversationChangeDetail[];
    let undelivered: Set<string>;
    try {
      // The feed first: a write whose mark is cleared must already be in the feed (see change-feed.ts).
      details = await this.recordInFeed(items);
      undelivered = new Set((await this.options.sink.publish(details)).undelivered);
    } catch (error: unknown) {
      this.options.logger?.error('change events not delivered; left for recovery', {
        count: items.length,
        error,
      });
      return 0;
    }
    const done = items.filter((item) =>
      item.changes.every(({ record }) => !undelivered.has(eventIdOf(record))),
    );
    const cleared = await Promise.allSettled(done.map((item) => this.clear(item)));
    const failures = cleared.filter((result) => result.status === 'rejected');
    if (failures.length > 0) {
      // Delivered but still marked: recovery sends them once more, with the same event_ids.
      this.options.logger?.warn('change event marks not cleared', { count: failures.length });
    }
    if (undelivered.size > 0) {
      this.options.logger?.warn('change events not delivered; left for recovery', {
        count: undelivered.size,
      });
    }
    return done.length;
  }

  /**
   * Each write's detail, recorded in the feed. A write superseded before it was recorded has lost its
   * content from the item: its record is taken from the feed when its writer got that far, and is
   * otherwise published with the conversation's ids and time only, naming what it lacks under
   * `truncated_fields` (as an event too large for EventBridge does).
   */
  private async recordInFeed(items: readonly PendingItem[]): Promise<ConversationChangeDetail[]> {
    // Two writers of one item each hold its earlier writes: one event per event_id, the exact one kept.
    const byEventId = new Map<string, PendingChange>();
    for (const item of items) {
      for (const change of item.changes) {
        const id = eventIdOf(change.record);
        if (change.missing === undefined || !byEventId.has(id)) byEventId.set(id, change);
      }
    }
    const changes = [...byEventId.values()];
    const incomplete = changes.filter((change) => change.missing !== undefined);
    const recorded =
      incomplete.length === 0
        ? new Map()
        : await this.options.feed.find(incomplete.map(({ record }) => record));
    const toRecord: Array<{ record: IndexChangeRecord; detail: ConversationChangeDetail }> = [];
    const details = changes.map(({ record, missing }) => {
      const found = missing === undefined ? undefined : recorded.get(changeKeyOf(record));
      if (found !== undefined) return found;
      const detail = changeDetail(record);
      const complete =
        missing === undefined || 'reason' in detail
          ? detail
          : { ...detail, conversation: { ...detail.conversation, truncated_fields: missing } };
      toRecord.push({ record, detail: complete });
      return complete;
    });
    await this.options.feed.record(toRecord);
    return details;
  }

  /** Delivers what dead or failed writers left marked for the Page, oldest first. Returns how many items. */
  async recover(pageId: string): Promise<number> {
    const cutoff = this.now().getTime() - this.recoveryAgeMs;
    let delivered = 0;
    // The sparse index holds only marked items: this reads in proportion to what is pending.
    const marked = this.table.batches<ConversationItem>({
      index: TABLE_KEYS.pendingEvents,
      keyCondition: '#epk = :epk',
      names: namesOf<ConversationItem>({ '#epk': 'gsi2pk' }),
      values: { ':epk': indexKeys.pendingEvents(pageId) },
    });
    for await (const batch of marked) {
      const due = batch.filter((item) => markedAt(item) <= cutoff).flatMap(pendingItemOf);
      delivered += await this.deliver(due);
    }
    return delivered;
  }

  private async clear(item: PendingItem): Promise<void> {
    await this.table.update(item.key, {
      update: 'REMOVE #epk, #esk, #pend, #prev, #pkey, #since',
      condition: '#rev = :rev',
      names: CLEAR_NAMES,
      values: { ':rev': item.revision },
    });
    // A failed condition means a newer write is pending: its writer or recovery delivers the lot.
  }
}

/** An item's pending writes, as recovery reads them back. */
export function pendingItemOf(item: Stored<ConversationItem>): PendingItem[] {
  if (item.pk === undefined || item.sk === undefined || item.rev === undefined) return [];
  return [{ key: { pk: item.pk, sk: item.sk }, revision: item.rev, changes: pendingChangesOf(item) }];
}

/** When an item's oldest pending write was made: its mark's key, or 0.2's `pending_since`. */
function markedAt(item: Stored<ConversationItem>): number {
  const parsed = item.gsi2sk === undefined ? undefined : parseFeedKey(item.gsi2sk);
  return parsed?.writtenAt ?? item.pending_since ?? 0;
}

/** The mark's `gsi2sk` for a write: its place in write order (`if_not_exists` keeps the oldest). */
export const markKey = feedKeys.write;

const eventIdOf = (record: IndexChangeRecord): string =>
  changeEventId(record.conversation.id, record.revision);
