import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { isConditionFailure, numberAttribute, readNumber, stringAttribute } from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/** A change in how many conversations each folder of a page's platform holds. */
export type FolderDeltas = Map<Folder, number>;

/**
 * How many conversations each folder of the index holds, kept by the writes themselves: one counter
 * item per page, platform and folder, moved by DynamoDB's atomic ADD with what each write changed
 * (created in a folder, moved out of another). Reading one costs one GetItem, however large the folder.
 *
 * The counter is written after the conversation, not with it (no transactions): a writer that dies
 * between the two leaves its counter short of those conversations until `ConversationIndex.recount`
 * counts the folder again (the sync does after a run that died, see `page-run.ts`).
 */
export class IndexCounters {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async add(pageId: string, platform: Platform, deltas: FolderDeltas): Promise<void> {
    const writes = [...deltas].filter(([, delta]) => delta !== 0);
    await Promise.all(
      writes.map(([folder, delta]) =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: counterKey(pageId, platform, folder),
            UpdateExpression: 'ADD #count :delta',
            ExpressionAttributeNames: { '#count': 'conversations' },
            ExpressionAttributeValues: { ':delta': numberAttribute(delta) },
          }),
        ),
      ),
    );
  }

  async read(pageId: string, platform: Platform, folder: Folder): Promise<number> {
    return (await this.stored(pageId, platform, folder)) ?? 0;
  }

  /** The counter as stored; undefined while the folder never had one. */
  async stored(pageId: string, platform: Platform, folder: Folder): Promise<number | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: counterKey(pageId, platform, folder),
        ConsistentRead: true,
      }),
    );
    return readNumber(output.Item, 'conversations');
  }

  /**
   * Sets a counter to a value counted from the index itself (the recount), on condition that it still
   * holds `expected` (what `stored` read before the count began). False when a writer moved it in the
   * meantime: its conversation may or may not be in the count, so the count must be taken again.
   */
  async reset(
    pageId: string,
    platform: Platform,
    folder: Folder,
    value: number,
    expected: number | undefined,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: counterKey(pageId, platform, folder),
          UpdateExpression: 'SET #count = :value',
          ConditionExpression: expected === undefined ? 'attribute_not_exists(#count)' : '#count = :expected',
          ExpressionAttributeNames: { '#count': 'conversations' },
          ExpressionAttributeValues: {
            ':value': numberAttribute(value),
            ...(expected === undefined ? {} : { ':expected': numberAttribute(expected) }),
          },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Sets a counter whatever it holds: the recount's last resort in a folder that never stops moving. */
  async set(pageId: string, platform: Platform, folder: Folder, value: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: counterKey(pageId, platform, folder),
        UpdateExpression: 'SET #count = :value',
        ExpressionAttributeNames: { '#count': 'conversations' },
        ExpressionAttributeValues: { ':value': numberAttribute(value) },
      }),
    );
  }
}

const counterKey = (pageId: string, platform: Platform, folder: Folder) => ({
  [TABLE_KEYS.partitionKey]: stringAttribute(`PAGE#${pageId}`),
  [TABLE_KEYS.sortKey]: stringAttribute(`COUNT#${platform}#${folder}`),
});

/** How a batch of writes into one folder moves the counters: +1 here for each arrival, -1 where it left. */
export function folderDeltas(
  folder: Folder,
  changes: ReadonlyArray<{ previousFolder: Folder | undefined }>,
): FolderDeltas {
  const deltas: FolderDeltas = new Map();
  const bump = (name: Folder, by: number) => deltas.set(name, (deltas.get(name) ?? 0) + by);
  for (const { previousFolder } of changes) {
    if (previousFolder === folder) continue;
    bump(folder, 1);
    if (previousFolder !== undefined) bump(previousFolder, -1);
  }
  return deltas;
}
