import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Conversation } from '../domain/conversation.js';
import { graphSeconds, sortableSecond } from '../domain/graph-time.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { type Item, isConditionFailure, readString, s } from './attributes.js';
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

const { partitionKey, sortKey, byUpdatedTime } = TABLE_KEYS;
const UPSERT_CONCURRENCY = 16;

const itemKey = (pageId: string, platform: Platform, id: string) => ({
  [partitionKey]: s(`CONV#${pageId}#${platform}`),
  [sortKey]: s(id),
});
const indexPartition = ({ pageId, platform, folder }: IndexPartition) =>
  `IDX#${pageId}#${platform}#${folder}`;
const indexSortKey = (conversation: Conversation) =>
  `${sortableSecond(graphSeconds(conversation.updated_time))}#${conversation.id}`;

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
  return Object.fromEntries(names.map((name, i) => [name, s(values[i] ?? '')]));
}

/**
 * The conversation index: one item per conversation and platform, keyed by its id, so new activity
 * updates it in place. The secondary index orders a page's folder by `updated_time`; DynamoDB moves an
 * item within it when its time changes, so no stale entry is left behind and no transaction is needed.
 */
export class ConversationIndex {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes conversations that are new or changed; returns how many were. Idempotent: writing the same
   * conversation again changes nothing and counts nothing, which is what lets an interrupted sync
   * replay a page of Graph results safely.
   */
  async upsert(partition: IndexPartition, conversations: readonly Conversation[]): Promise<number> {
    let changed = 0;
    for (let start = 0; start < conversations.length; start += UPSERT_CONCURRENCY) {
      const batch = conversations.slice(start, start + UPSERT_CONCURRENCY);
      // Settle the whole batch before failing: no write of this run may land after it reported.
      const results = await Promise.allSettled(
        batch.map((conversation) => this.upsertOne(partition, conversation)),
      );
      for (const result of results) {
        if (result.status === 'rejected') throw result.reason;
        if (result.value) changed += 1;
      }
    }
    return changed;
  }

  private async upsertOne(partition: IndexPartition, conversation: Conversation): Promise<boolean> {
    const doc = JSON.stringify(conversation);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: itemKey(partition.pageId, partition.platform, conversation.id),
          UpdateExpression: 'SET #gpk = :gpk, #gsk = :gsk, #doc = :doc',
          ConditionExpression: 'attribute_not_exists(#doc) OR #gpk <> :gpk OR #gsk <> :gsk OR #doc <> :doc',
          ExpressionAttributeNames: {
            '#gpk': byUpdatedTime.partitionKey,
            '#gsk': byUpdatedTime.sortKey,
            '#doc': 'doc',
          },
          ExpressionAttributeValues: {
            ':gpk': s(indexPartition(partition)),
            ':gsk': s(indexSortKey(conversation)),
            ':doc': s(doc),
          },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
      ExpressionAttributeValues: { ':gpk': s(indexPartition(query)), ':threshold': s(threshold) },
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

  /** How many conversations a folder holds, read from the index itself so that it can never drift. */
  async count(partition: IndexPartition): Promise<number> {
    let total = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byUpdatedTime.indexName,
          KeyConditionExpression: '#gpk = :gpk',
          ExpressionAttributeNames: { '#gpk': byUpdatedTime.partitionKey },
          ExpressionAttributeValues: { ':gpk': s(indexPartition(partition)) },
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
