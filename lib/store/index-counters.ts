import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { numberAttribute, readNumber, stringAttribute } from './attributes.js';
import { TABLE_KEYS } from './table-schema.js';

/** A change in how many conversations each folder of a page's platform holds. */
export type FolderDeltas = Map<Folder, number>;

/**
 * How many conversations each folder of the index holds, kept by the writes themselves: one counter
 * item per page, platform and folder, moved by DynamoDB's atomic ADD with what each write changed
 * (created in a folder, moved out of another). Reading one costs one GetItem, however large the folder.
 *
 * The counter is written after the conversation, not with it (no transactions): a writer that dies
 * between the two leaves its counter short of those conversations until `ConversationIndex.recount`.
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
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: counterKey(pageId, platform, folder),
        ConsistentRead: true,
      }),
    );
    return readNumber(output.Item, 'conversations') ?? 0;
  }

  /** Sets a counter to a value counted from the index itself (the reconciliation). */
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
