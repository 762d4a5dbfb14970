import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type ChangeEventSink, changeEventId } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import { graphSeconds, sortableSecond } from '../domain/graph-time.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { Logger } from '../telemetry/logger.js';
import { type Item, isConditionFailure, numberAttribute, readString, stringAttribute } from './attributes.js';
import {
  ChangeOutbox,
  NO_PREVIOUS,
  OUTBOX_ATTRIBUTES,
  type PendingChange,
  pendingEventsPartition,
} from './change-outbox.js';
import { folderDeltas, IndexCounters } from './index-counters.js';
import { TABLE_KEYS } from './table-schema.js';

export interface IndexPartition {
  pageId: string;
  platform: Platform;
  folder: Folder;
}

export interface IndexQuery extends IndexPartition {
  /** Conversations whose `updated_time` is later than this. */
  updatedSince: Date;
  limit: number;
  /** Where the previous page ended (`after`) or began (`before`), as `encodeIndexKey` gave it. */
  after?: string | undefined;
  before?: string | undefined;
}

export interface IndexPage {
  data: Conversation[];
  /** Keys of the first and last item, to page from. */
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

const { partitionKey, sortKey, byUpdatedTime, pendingEvents } = TABLE_KEYS;
const UPSERT_CONCURRENCY = 16;
/** Counts of a folder taken while writers kept moving its counter, before `recount` sets it anyway. */
const RECOUNT_ATTEMPTS = 3;

const itemKey = (pageId: string, platform: Platform, id: string) => ({
  [partitionKey]: stringAttribute(`CONV#${pageId}#${platform}`),
  [sortKey]: stringAttribute(id),
});
const indexPartition = ({ pageId, platform, folder }: IndexPartition) =>
  `IDX#${pageId}#${platform}#${folder}`;
const indexSortKey = (conversation: Conversation) =>
  `${sortableSecond(graphSeconds(conversation.updated_time))}#${conversation.id}`;
const folderOf = (item: Item | undefined) =>
  readString(item, byUpdatedTime.partitionKey)?.split('#')[3] as Folder | undefined;

/** Index keys as cursors: the four key attributes of the item where a page stopped. */
function encodeIndexKey(item: Item): string {
  return JSON.stringify(
    [partitionKey, sortKey, byUpdatedTime.partitionKey, byUpdatedTime.sortKey].map((name) =>
      readString(item, name),
    ),
  );
}

function decodeIndexKey(key: string): Record<string, AttributeValue> {
  const values = JSON.parse(key) as string[];
  const names = [partitionKey, sortKey, byUpdatedTime.partitionKey, byUpdatedTime.sortKey];
  return Object.fromEntries(names.map((name, i) => [name, stringAttribute(values[i] ?? '')]));
}

/**
 * The time an event names as the one the index held before: the previous pending event's own
 * "before" while that one is undelivered (so that a conversation created and changed again before
 * its event went out is still announced as created), else the time the item held. The write's
 * UpdateExpression stores the same value; this reads it from the item as it was.
 */
function previousTime(old: Item | undefined): string | null {
  if (old === undefined) return null;
  const before =
    readString(old, pendingEvents.partitionKey) !== undefined
      ? readString(old, OUTBOX_ATTRIBUTES.previous)
      : (readString(old, OUTBOX_ATTRIBUTES.updatedTime) ??
        (JSON.parse(readString(old, 'doc') ?? '{}') as Partial<Conversation>).updated_time);
  return before === undefined || before === NO_PREVIOUS ? null : before;
}

/**
 * The conversation index: one item per conversation and platform, keyed by its id, so new activity
 * updates it in place. The secondary index orders a page's folder by `updated_time`; DynamoDB moves an
 * item within it when its time changes, so no stale entry is left behind and no transaction is needed.
 * Each write also moves the folder counters (`index-counters.ts`) and, with an event sink, marks the
 * change pending in the same UpdateItem and delivers its event (`change-outbox.ts`).
 */
export class ConversationIndex {
  private readonly counters: IndexCounters;
  private readonly outbox: ChangeOutbox | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: ConversationIndexOptions = {},
  ) {
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
    const pending: PendingChange[] = [];
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

  /** Delivers the change events a dead or failed writer left pending for the page. */
  async emitPendingEvents(pageId: string): Promise<number> {
    return (await this.outbox?.recover(pageId)) ?? 0;
  }

  private async writeOne(
    partition: IndexPartition,
    conversation: Conversation,
  ): Promise<{ change: IndexChange; pending: PendingChange | undefined } | undefined> {
    const doc = JSON.stringify(conversation);
    const names: Record<string, string> = {
      '#gpk': byUpdatedTime.partitionKey,
      '#gsk': byUpdatedTime.sortKey,
      '#doc': 'doc',
      '#ut': OUTBOX_ATTRIBUTES.updatedTime,
      '#rev': OUTBOX_ATTRIBUTES.revision,
    };
    const values: Record<string, AttributeValue> = {
      ':gpk': stringAttribute(indexPartition(partition)),
      ':gsk': stringAttribute(indexSortKey(conversation)),
      ':doc': stringAttribute(doc),
      ':ut': stringAttribute(conversation.updated_time),
      ':zero': numberAttribute(0),
      ':one': numberAttribute(1),
    };
    let update =
      'SET #gpk = :gpk, #gsk = :gsk, #doc = :doc, #ut = :ut, #rev = if_not_exists(#rev, :zero) + :one';
    if (this.outbox !== undefined) {
      // The outbox mark rides on the same write (see change-outbox.ts). SET reads the item as it was,
      // so `#prev` keeps the time held before this write, unless an undelivered event already set it.
      Object.assign(names, {
        '#epk': pendingEvents.partitionKey,
        '#esk': pendingEvents.sortKey,
        '#prev': OUTBOX_ATTRIBUTES.previous,
        '#since': OUTBOX_ATTRIBUTES.pendingSince,
      });
      Object.assign(values, {
        ':epk': stringAttribute(pendingEventsPartition(partition.pageId)),
        ':none': stringAttribute(NO_PREVIOUS),
        ':now': numberAttribute(this.now().getTime()),
      });
      update +=
        ', #epk = :epk, #esk = :gsk, #prev = if_not_exists(#prev, if_not_exists(#ut, :none)), #since = if_not_exists(#since, :now)';
    }
    let old: Item | undefined;
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(partition.pageId, partition.platform, conversation.id),
          UpdateExpression: update,
          ConditionExpression:
            'attribute_not_exists(#doc) OR #gsk < :gsk OR (#gsk = :gsk AND (#gpk <> :gpk OR #doc <> :doc))',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = output.Attributes;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    const change: IndexChange = {
      conversation,
      change: old === undefined ? 'created' : 'updated',
      previousFolder: folderOf(old),
    };
    if (this.outbox === undefined) return { change, pending: undefined };
    const before = previousTime(old);
    const revision = Number(old?.[OUTBOX_ATTRIBUTES.revision]?.N ?? 0) + 1;
    const pending: PendingChange = {
      revision,
      detail: {
        event_id: changeEventId(conversation),
        page_id: partition.pageId,
        platform: partition.platform,
        folder: partition.folder,
        change: before === null ? 'created' : 'updated',
        previous_updated_time: before,
        conversation,
      },
    };
    return { change, pending };
  }

  /** Conversations of one folder updated after an instant, newest first, a page at a time. */
  async query(query: IndexQuery): Promise<IndexPage> {
    // Times have one-second resolution: "later than t" is "at or after the next whole second".
    const threshold = sortableSecond(Math.floor(query.updatedSince.getTime() / 1000) + 1);
    const backwards = query.before !== undefined;
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: byUpdatedTime.indexName,
      KeyConditionExpression: '#gpk = :gpk AND #gsk >= :threshold',
      ExpressionAttributeNames: { '#gpk': byUpdatedTime.partitionKey, '#gsk': byUpdatedTime.sortKey },
      ExpressionAttributeValues: {
        ':gpk': stringAttribute(indexPartition(query)),
        ':threshold': stringAttribute(threshold),
      },
      ScanIndexForward: backwards,
      Limit: query.limit,
    };
    const start = query.after ?? query.before;
    if (start !== undefined) input.ExclusiveStartKey = decodeIndexKey(start);
    const output = await this.client.send(new QueryCommand(input));
    const items = output.Items ?? [];
    if (backwards) items.reverse();
    const first = items[0];
    const last = items.at(-1);
    const more = output.LastEvaluatedKey !== undefined;
    return {
      data: items.map((item) => JSON.parse(readString(item, 'doc') ?? '{}') as Conversation),
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
      const total = await this.countItems(partition);
      if (await this.counters.reset(pageId, platform, folder, total, before)) return total;
      if (attempt === RECOUNT_ATTEMPTS) {
        await this.counters.set(pageId, platform, folder, total);
        return total;
      }
    }
  }

  private async countItems(partition: IndexPartition): Promise<number> {
    let total = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byUpdatedTime.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': byUpdatedTime.partitionKey },
          ExpressionAttributeValues: { ':gpk': stringAttribute(indexPartition(partition)) },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      total += output.Count ?? 0;
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }
}
