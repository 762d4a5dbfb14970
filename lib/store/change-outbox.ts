import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ChangeEventSink,
  type ConversationChangeDetail,
  changeEventId,
} from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import { FOLDERS, type Folder, PLATFORMS, type Platform } from '../domain/vocabulary.js';
import type { Logger } from '../telemetry/logger.js';
import {
  type Item,
  isConditionFailure,
  numberAttribute,
  readNumber,
  readString,
  stringAttribute,
} from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The outbox of change events, kept on the indexed conversations themselves (no transactions): the
 * same UpdateItem that changes a conversation marks it pending, with the sparse `pendingEvents` keys,
 * the time the index held before (`event_prev`) and a revision. After the sink accepts the event, the
 * mark is cleared only if the revision is still the one emitted, so a newer change stays pending.
 *
 * Invariants:
 * 1. No change is lost between the index write and its event: until cleared, it is in the sparse
 *    index, and `recover` (at the start of every sync run and refresh of the page) emits it.
 * 2. A change is emitted at least once, each time with the same `event_id` (`<id>@<updated_time>`,
 *    both read from the item), so a replay never emits a different one.
 * 3. A write that changes nothing (a replayed Graph page, a duplicate webhook) marks nothing.
 */

/** Stored as `event_prev` when the conversation was new to the index. */
export const NO_PREVIOUS = '-';

export const OUTBOX_ATTRIBUTES = Object.freeze({
  previous: 'event_prev',
  revision: 'rev',
  pendingSince: 'pending_since',
  updatedTime: 'updated_time',
});

/** One change written and not yet delivered, with the revision that wrote it. */
export interface PendingChange {
  detail: ConversationChangeDetail;
  revision: number;
}

export interface ChangeOutboxOptions {
  client: DynamoDBClient;
  tableName: string;
  sink: ChangeEventSink;
  logger?: Logger;
  now?: () => Date;
  /**
   * Recovery leaves changes younger than this to the writer that is about to deliver them, so that a
   * refresh beside a running sync does not routinely send its events twice. Default 30 s.
   */
  recoveryAgeMs?: number;
}

const { partitionKey, sortKey, pendingEvents, byUpdatedTime } = TABLE_KEYS;
const { previous, revision, pendingSince, updatedTime } = OUTBOX_ATTRIBUTES;

/** Reads a pending change back from its item: what `recover` emits. */
export function pendingChangeOf(item: Item): PendingChange | undefined {
  const [, pageId, platform] = (readString(item, partitionKey) ?? '').split('#');
  const folder = (readString(item, byUpdatedTime.partitionKey) ?? '').split('#')[3];
  const doc = readString(item, 'doc');
  const rev = readNumber(item, revision);
  if (
    pageId === undefined ||
    !(PLATFORMS as readonly string[]).includes(platform ?? '') ||
    !(FOLDERS as readonly string[]).includes(folder ?? '') ||
    doc === undefined ||
    rev === undefined
  ) {
    return undefined;
  }
  const conversation = JSON.parse(doc) as Conversation;
  const before = readString(item, previous);
  const previousTime = before === undefined || before === NO_PREVIOUS ? null : before;
  return {
    revision: rev,
    detail: {
      event_id: changeEventId(conversation),
      page_id: pageId,
      platform: platform as Platform,
      folder: folder as Folder,
      change: previousTime === null ? 'created' : 'updated',
      previous_updated_time: previousTime,
      conversation,
    },
  };
}

export class ChangeOutbox {
  private readonly now: () => Date;
  private readonly recoveryAgeMs: number;

  constructor(private readonly options: ChangeOutboxOptions) {
    this.now = options.now ?? (() => new Date());
    this.recoveryAgeMs = options.recoveryAgeMs ?? 30_000;
  }

  /**
   * Publishes changes and clears the marks of those the sink accepted. Never throws: what is not
   * delivered stays marked for `recover`, and the index write that caused it has already succeeded.
   * Returns how many were delivered.
   */
  async deliver(changes: readonly PendingChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    let undelivered: Set<string>;
    try {
      undelivered = new Set(
        (await this.options.sink.publish(changes.map(({ detail }) => detail))).undelivered,
      );
    } catch (error: unknown) {
      this.options.logger?.error('change events not delivered; left for recovery', {
        count: changes.length,
        error,
      });
      return 0;
    }
    const delivered = changes.filter(({ detail }) => !undelivered.has(detail.event_id));
    const cleared = await Promise.allSettled(delivered.map((change) => this.clear(change)));
    const failures = cleared.filter((result) => result.status === 'rejected');
    if (failures.length > 0) {
      // Delivered but still marked: recovery sends them once more, with the same event_id.
      this.options.logger?.warn('change event marks not cleared', { count: failures.length });
    }
    if (undelivered.size > 0) {
      this.options.logger?.warn('change events not delivered; left for recovery', {
        count: undelivered.size,
      });
    }
    return delivered.length;
  }

  /** Emits what a dead or failed writer left marked for the page, oldest first. Returns how many. */
  async recover(pageId: string): Promise<number> {
    const cutoff = this.now().getTime() - this.recoveryAgeMs;
    let delivered = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: pendingEvents.indexName,
          KeyConditionExpression: '#epk = :epk',
          FilterExpression: '#since <= :cutoff',
          ExpressionAttributeNames: { '#epk': pendingEvents.partitionKey, '#since': pendingSince },
          ExpressionAttributeValues: {
            ':epk': stringAttribute(pendingEventsPartition(pageId)),
            ':cutoff': numberAttribute(cutoff),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      const changes = (output.Items ?? []).map(pendingChangeOf).filter((c) => c !== undefined);
      delivered += await this.deliver(changes);
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return delivered;
  }

  private async clear({ detail, revision: rev }: PendingChange): Promise<void> {
    const key = {
      [partitionKey]: stringAttribute(`CONV#${detail.page_id}#${detail.platform}`),
      [sortKey]: stringAttribute(detail.conversation.id),
    };
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #epk, #esk, #prev, #since',
          ConditionExpression: '#rev = :rev',
          ExpressionAttributeNames: {
            '#epk': pendingEvents.partitionKey,
            '#esk': pendingEvents.sortKey,
            '#prev': previous,
            '#since': pendingSince,
            '#rev': revision,
          },
          ExpressionAttributeValues: { ':rev': numberAttribute(rev) },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      // A newer change is pending: its event's "previous" is now the one just delivered.
      await this.advancePrevious(key, detail.conversation.updated_time);
    }
  }

  private async advancePrevious(key: Item, emittedTime: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: 'SET #prev = :emitted',
          ConditionExpression: 'attribute_exists(#epk) AND #prev < :emitted AND #ut <> :emitted',
          ExpressionAttributeNames: {
            '#epk': pendingEvents.partitionKey,
            '#prev': previous,
            '#ut': updatedTime,
          },
          ExpressionAttributeValues: { ':emitted': stringAttribute(emittedTime) },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

export const pendingEventsPartition = (pageId: string) => `EVENTS#${pageId}`;
