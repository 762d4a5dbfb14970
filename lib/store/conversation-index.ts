import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ChangeEventSink, IndexChangeRecord } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { Folder } from '../domain/vocabulary.js';
import type { Logger } from '../telemetry/logger.js';
import { ChangeOutbox } from './change-outbox.js';
import { type ConversationItem, folderOf, NO_PREVIOUS, previousTime } from './conversation-item.js';
import { folderDeltas, IndexCounters } from './index-counters.js';
import { type IndexPartition, indexKeys, keys } from './keys.js';
import { namesOf, type Stored, Table, type Values } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

export type { IndexPartition } from './keys.js';

export interface IndexQuery extends IndexPartition {
  /** Conversations whose `updated_time` is later than this. */
  updatedSince: Date;
  limit: number;
  /** Where the previous listing ended (`after`) or began (`before`), as `firstKey`/`lastKey` gave it. */
  after?: string | undefined;
  before?: string | undefined;
}

/** One listing of a folder, newest first. */
export interface IndexListing {
  data: Conversation[];
  /** Keys of the first and last item, to list on from. */
  firstKey: string | undefined;
  lastKey: string | undefined;
  hasMoreAfter: boolean;
  hasMoreBefore: boolean;
}

/** What one write did to one conversation: the per-item result of `write`. */
export interface IndexChange {
  conversation: Conversation;
  /** `created`: new to the index; `updated`: it held the conversation before (in `previousFolder`). */
  change: 'created' | 'updated';
  previousFolder: Folder | undefined;
}

export interface ConversationIndexOptions {
  /** Where change events go. Without one, writes mark nothing pending and emit nothing. */
  events?: ChangeEventSink;
  logger?: Logger;
  now?: () => Date;
}

const { byUpdatedTime } = TABLE_KEYS;
const UPSERT_CONCURRENCY = 16;
/** Counts of a folder taken while writers kept moving its counter, before `recount` sets it anyway. */
const RECOUNT_ATTEMPTS = 3;

/** A listing's ends as opaque strings: the four key attributes of the item where it stopped. */
const CURSOR_KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const satisfies ReadonlyArray<keyof ConversationItem>;

const encodeIndexKey = (item: Stored<ConversationItem>): string =>
  JSON.stringify(CURSOR_KEYS.map((name) => item[name]));

function decodeIndexKey(key: string): Record<string, string> {
  const values = JSON.parse(key) as string[];
  return Object.fromEntries(CURSOR_KEYS.map((name, i) => [name, values[i] ?? '']));
}

/**
 * The conversation index: one item per conversation and platform, keyed by its id, so new activity
 * updates it in place. The secondary index orders a Page's folder by `updated_time`; DynamoDB moves an
 * item within it when its time changes, so no stale entry is left behind and no transaction is needed.
 * Each write also moves the folder counters (`index-counters.ts`) and, with an event sink, marks the
 * change pending in the same UpdateItem and delivers its event (`change-outbox.ts`).
 */
export class ConversationIndex {
  private readonly table: Table;
  private readonly counters: IndexCounters;
  private readonly outbox: ChangeOutbox | undefined;
  private readonly now: () => Date;

  constructor(client: DynamoDBClient, tableName: string, options: ConversationIndexOptions = {}) {
    this.table = new Table(client, tableName);
    this.now = options.now ?? (() => new Date());
    this.counters = new IndexCounters(client, tableName);
    this.outbox =
      options.events === undefined
        ? undefined
        : new ChangeOutbox({
            client,
            tableName,
            sink: options.events,
            now: this.now,
            ...(options.logger === undefined ? {} : { logger: options.logger }),
          });
  }

  /**
   * Writes conversations that are new or changed; returns how many were. Idempotent: writing the same
   * conversation again changes nothing and counts nothing, which is what lets an interrupted sync
   * replay a page of Graph results safely.
   */
  async upsert(partition: IndexPartition, conversations: readonly Conversation[]): Promise<number> {
    return (await this.write(partition, conversations)).length;
  }

  /**
   * `upsert` with what changed, item by item. A conversation never moves back in time: an answer older
   * than what the index holds (a refresh that read Graph before a sync wrote) changes nothing.
   * Counters move by the changes, and their events are delivered, before it returns.
   */
  async write(partition: IndexPartition, conversations: readonly Conversation[]): Promise<IndexChange[]> {
    const changes: IndexChange[] = [];
    const pending: IndexChangeRecord[] = [];
    let failure: { reason: unknown } | undefined;
    for (let start = 0; start < conversations.length; start += UPSERT_CONCURRENCY) {
      const batch = conversations.slice(start, start + UPSERT_CONCURRENCY);
      // Settle the whole batch before failing: no write of this run may land after it reported.
      const results = await Promise.allSettled(
        batch.map((conversation) => this.writeOne(partition, conversation)),
      );
      for (const result of results) {
        if (result.status === 'rejected') {
          failure ??= { reason: result.reason };
          continue;
        }
        if (result.value === undefined) continue;
        changes.push(result.value.change);
        if (result.value.pending !== undefined) pending.push(result.value.pending);
      }
      if (failure !== undefined) break;
    }
    // Written items are counted even when others failed: a replay writes and counts them no more.
    await this.counters.add(partition.pageId, partition.platform, folderDeltas(partition.folder, changes));
    // Their events stay pending (the mark is on each item) for the next writer's `emitPendingEvents`.
    if (failure !== undefined) throw failure.reason;
    await this.outbox?.deliver(pending);
    return changes;
  }

  /** Delivers the change events a dead or failed writer left pending for the Page. */
  async emitPendingEvents(pageId: string): Promise<number> {
    return (await this.outbox?.recover(pageId)) ?? 0;
  }

  private async writeOne(
    partition: IndexPartition,
    conversation: Conversation,
  ): Promise<{ change: IndexChange; pending: IndexChangeRecord | undefined } | undefined> {
    const names = namesOf<ConversationItem>({
      '#gpk': 'gsi1pk',
      '#gsk': 'gsi1sk',
      '#doc': 'doc',
      '#ut': 'updated_time',
      '#rev': 'rev',
    });
    const values: Values = {
      ':gpk': indexKeys.indexedFolder(partition),
      ':gsk': indexKeys.updatedOrder(conversation),
      ':doc': JSON.stringify(conversation),
      ':ut': conversation.updated_time,
      ':zero': 0,
      ':one': 1,
    };
    let update =
      'SET #gpk = :gpk, #gsk = :gsk, #doc = :doc, #ut = :ut, #rev = if_not_exists(#rev, :zero) + :one';
    if (this.outbox !== undefined) {
      // The outbox mark rides on the same write (see change-outbox.ts). SET reads the item as it was,
      // so `#prev` keeps the time held before this write, unless an undelivered event already set it:
      // `previousTime` reads the same from the item returned as it was.
      Object.assign(
        names,
        namesOf<ConversationItem>({
          '#epk': 'gsi2pk',
          '#esk': 'gsi2sk',
          '#prev': 'event_prev',
          '#since': 'pending_since',
        }),
      );
      Object.assign(values, {
        ':epk': indexKeys.pendingEvents(partition.pageId),
        ':none': NO_PREVIOUS,
        ':now': this.now().getTime(),
      });
      update +=
        ', #epk = :epk, #esk = :gsk, #prev = if_not_exists(#prev, if_not_exists(#ut, :none)), #since = if_not_exists(#since, :now)';
    }
    const written = await this.table.update<ConversationItem>(
      keys.conversation(partition.pageId, partition.platform, conversation.id),
      {
        update,
        condition:
          'attribute_not_exists(#doc) OR #gsk < :gsk OR (#gsk = :gsk AND (#gpk <> :gpk OR #doc <> :doc))',
        names,
        values,
        returns: 'ALL_OLD',
      },
    );
    if (!written.applied) return undefined;
    const old = written.record;
    const change: IndexChange = {
      conversation,
      change: old === undefined ? 'created' : 'updated',
      previousFolder: folderOf(old),
    };
    if (this.outbox === undefined) return { change, pending: undefined };
    const pending: IndexChangeRecord = {
      ...partition,
      conversation,
      revision: (old?.rev ?? 0) + 1,
      previousUpdatedTime: previousTime(old),
    };
    return { change, pending };
  }

  /** Conversations of one folder updated after an instant, newest first, one listing at a time. */
  async query(query: IndexQuery): Promise<IndexListing> {
    const backwards = query.before !== undefined;
    const start = query.after ?? query.before;
    const { records, lastKey } = await this.table.query<ConversationItem>({
      index: byUpdatedTime,
      keyCondition: '#gpk = :gpk AND #gsk >= :threshold',
      names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' }),
      values: {
        ':gpk': indexKeys.indexedFolder(query),
        ':threshold': indexKeys.updatedAfter(query.updatedSince),
      },
      forward: backwards,
      limit: query.limit,
      ...(start === undefined ? {} : { startKey: decodeIndexKey(start) }),
    });
    if (backwards) records.reverse();
    const first = records[0];
    const last = records.at(-1);
    const more = lastKey !== undefined;
    return {
      data: records.map((item) => JSON.parse(item.doc ?? '{}') as Conversation),
      firstKey: first === undefined ? undefined : encodeIndexKey(first),
      lastKey: last === undefined ? undefined : encodeIndexKey(last),
      hasMoreAfter: backwards ? true : more,
      hasMoreBefore: backwards ? more : query.after !== undefined,
    };
  }

  /** How many conversations a folder holds: one read of its counter, however large the folder. */
  async count(partition: IndexPartition): Promise<number> {
    return this.counters.read(partition.pageId, partition.platform, partition.folder);
  }

  /**
   * Counts a folder from the index itself (a paged Query with `Select: COUNT`) and resets its counter
   * to that: the repair after a writer died between a conversation and its counter, for the sync's
   * recovery and the reconciliation. Costs reads in proportion to the folder; not for every run.
   * The reset holds only if no writer moved the counter while the folder was counted (else counted
   * again, a few times at most, then set anyway: a writer still between its two writes may then leave
   * it off by its own conversations, as a crash would).
   */
  async recount(partition: IndexPartition): Promise<number> {
    const { pageId, platform, folder } = partition;
    for (let attempt = 1; ; attempt++) {
      const before = await this.counters.stored(pageId, platform, folder);
      const total = await this.table.count({
        index: byUpdatedTime,
        keyCondition: '#gpk = :gpk',
        names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk' }),
        values: { ':gpk': indexKeys.indexedFolder(partition) },
      });
      if (await this.counters.reset(pageId, platform, folder, total, before)) return total;
      if (attempt === RECOUNT_ATTEMPTS) {
        await this.counters.set(pageId, platform, folder, total);
        return total;
      }
    }
  }
}
