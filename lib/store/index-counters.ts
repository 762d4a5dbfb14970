import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Folder, Platform } from '../domain/vocabulary.js';
import { keys } from './keys.js';
import { namesOf, Table } from './table.js';

/** A change in how many live conversations each folder of a Page's platform holds. */
export type FolderDeltas = Map<Folder, number>;

/** Counts of a folder taken while writers kept moving its counter, before `recount` sets it anyway. */
const RECOUNT_ATTEMPTS = 3;

/** A folder's counter item (`keys.folderCount`). */
interface CounterItem {
  conversations: number;
}

const NAMES = namesOf<CounterItem>({ '#count': 'conversations' });

/**
 * How many conversations each folder of the index holds, kept by the writes themselves: one counter
 * item per Page, platform and folder, moved by DynamoDB's atomic ADD with what each write changed
 * (created in a folder, moved out of another). Reading one costs one GetItem, however large the folder.
 *
 * The counter is written after the conversation, not with it (no transactions): a writer that dies
 * between the two leaves its counter short of those conversations until `ConversationIndex.recount`
 * counts the folder again (the sync does after a run that died, see `page-run.ts`).
 */
export class IndexCounters {
  private readonly table: Table;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new Table(client, tableName);
  }

  async add(pageId: string, platform: Platform, deltas: FolderDeltas): Promise<void> {
    const writes = [...deltas].filter(([, delta]) => delta !== 0);
    await Promise.all(
      writes.map(([folder, delta]) =>
        this.table.update(keys.folderCount(pageId, platform, folder), {
          update: 'ADD #count :delta',
          names: NAMES,
          values: { ':delta': delta },
        }),
      ),
    );
  }

  async read(pageId: string, platform: Platform, folder: Folder): Promise<number> {
    return (await this.stored(pageId, platform, folder)) ?? 0;
  }

  /** The counter as stored; undefined while the folder never had one. */
  async stored(pageId: string, platform: Platform, folder: Folder): Promise<number | undefined> {
    const item = await this.table.get<CounterItem>(keys.folderCount(pageId, platform, folder), {
      consistent: true,
    });
    return item?.conversations;
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
    const { applied } = await this.table.update(keys.folderCount(pageId, platform, folder), {
      update: 'SET #count = :value',
      condition: expected === undefined ? 'attribute_not_exists(#count)' : '#count = :expected',
      names: NAMES,
      values: { ':value': value, ':expected': expected },
    });
    return applied;
  }

  /**
   * Sets a folder's counter to what `countLive` counts, unless a writer moved it meanwhile: then counted
   * again, a few times at most, and set anyway (see `ConversationIndex.recount`).
   */
  async recount(
    { pageId, platform, folder }: { pageId: string; platform: Platform; folder: Folder },
    countLive: () => Promise<number>,
  ): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const before = await this.stored(pageId, platform, folder);
      const total = await countLive();
      if (await this.reset(pageId, platform, folder, total, before)) return total;
      if (attempt === RECOUNT_ATTEMPTS) {
        await this.set(pageId, platform, folder, total);
        return total;
      }
    }
  }

  /** Sets a counter whatever it holds: the recount's last resort in a folder that never stops moving. */
  async set(pageId: string, platform: Platform, folder: Folder, value: number): Promise<void> {
    await this.table.update(keys.folderCount(pageId, platform, folder), {
      update: 'SET #count = :value',
      names: NAMES,
      values: { ':value': value },
    });
  }
}

/**
 * How a batch of writes moves the counters, which count live items only: +1 where a conversation
 * arrived, -1 where it left (moved elsewhere, or removed to a tombstone); nothing for a write within
 * its folder.
 */
export function folderDeltas(
  changes: ReadonlyArray<{ previousFolder: Folder | undefined; folder: Folder | undefined }>,
): FolderDeltas {
  const deltas: FolderDeltas = new Map();
  const bump = (name: Folder, by: number) => deltas.set(name, (deltas.get(name) ?? 0) + by);
  for (const { previousFolder, folder } of changes) {
    if (previousFolder === folder) continue;
    if (folder !== undefined) bump(folder, 1);
    if (previousFolder !== undefined) bump(previousFolder, -1);
  }
  return deltas;
}
