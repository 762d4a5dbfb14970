import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FOLDERS, type Folder, type Platform } from '../domain/vocabulary.js';
import { keys, reconcilePartition, reconcileScanPrefix } from './keys.js';
import { type Expiring, epochSeconds, isExpired, namesOf, type Stored, Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/** One chunk as stored (`keys.reconcileChunk`). */
interface ChunkItem extends Expiring {
  seq: number;
  folder: string;
  /** Graph's cursor of the folder's next listing; absent once the folder was listed to its end. */
  next_cursor: string;
  /** The ids the listing saw, JSON. */
  ids: string;
}

/** What one Graph listing of a reconciliation saw, and where the listing stands after it. */
export interface ReconcileChunk {
  /** 1 for a scan's first listing, then one more per listing, across folders and runs. */
  seq: number;
  folder: Folder;
  /** Where the folder's listing goes on; null when this listing was its last. */
  nextCursor: string | null;
  ids: string[];
}

const NAMES = namesOf<ChunkItem>({ '#seq': 'seq', '#folder': 'folder', '#next': 'next_cursor' });
const { partitionKey, sortKey } = TABLE_KEYS;

/**
 * The ids a reconciliation saw, one item per Graph listing in its platform's partition
 * (`reconcilePartition`), sorted by scan and number. Each chunk is also the scan's checkpoint: the last
 * one says which folder the listing is in and Graph's cursor to go on from, so a listing costs one
 * write however large the sync state.
 * Chunks expire (TTL) a few days after their scan began; a scan is given up before that (see
 * `reconcile.ts`), and a scan whose chunks are not all there is never compared (`seenIds`).
 */
export class ReconcileStore {
  private readonly table: Table;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new Table(client, tableName);
  }

  /**
   * Writes a chunk once: false when the scan already has one of that number, which only a run that
   * lost its lease to another can meet (the other wrote it).
   */
  async put(
    target: { pageId: string; platform: Platform; scanId: string },
    chunk: ReconcileChunk,
    expiresAt: Date,
  ): Promise<boolean> {
    return this.table.put(
      {
        ...keys.reconcileChunk(target.pageId, target.platform, target.scanId, chunk.seq),
        seq: chunk.seq,
        folder: chunk.folder,
        next_cursor: chunk.nextCursor ?? undefined,
        ids: JSON.stringify(chunk.ids),
        [TABLE_KEYS.timeToLive]: epochSeconds(expiresAt),
      },
      { condition: 'attribute_not_exists(#pk)', names: { '#pk': partitionKey } },
    );
  }

  /** The scan's last chunk without its ids (where the listing stands); undefined before the first. */
  async last(
    target: { pageId: string; platform: Platform; scanId: string },
    now: Date,
  ): Promise<Omit<ReconcileChunk, 'ids'> | undefined> {
    const { records } = await this.table.query<ChunkItem>({
      keyCondition: '#pk = :pk AND begins_with(#sk, :scan)',
      names: { '#pk': partitionKey, '#sk': sortKey, ...NAMES, '#ttl': TABLE_KEYS.timeToLive },
      values: {
        ':pk': reconcilePartition(target.pageId, target.platform),
        ':scan': reconcileScanPrefix(target.scanId),
      },
      projection: '#seq, #folder, #next, #ttl',
      forward: false,
      limit: 1,
    });
    const item = records[0];
    if (item === undefined) return undefined;
    const chunk = chunkOf({ ...item, ids: '[]' }, now);
    return chunk === undefined
      ? undefined
      : { seq: chunk.seq, folder: chunk.folder, nextCursor: chunk.nextCursor };
  }

  /**
   * Every id the scan saw, or undefined when its chunks are not all there (one expired, or a number
   * missing): such a scan must not decide that anything is gone. Reads the scan's chunks once.
   */
  async seenIds(
    target: { pageId: string; platform: Platform; scanId: string },
    now: Date,
  ): Promise<Set<string> | undefined> {
    const seen = new Set<string>();
    let expected = 1;
    for await (const batch of this.table.batches<ChunkItem>({
      keyCondition: '#pk = :pk AND begins_with(#sk, :scan)',
      names: { '#pk': partitionKey, '#sk': sortKey },
      values: {
        ':pk': reconcilePartition(target.pageId, target.platform),
        ':scan': reconcileScanPrefix(target.scanId),
      },
    })) {
      for (const item of batch) {
        const chunk = chunkOf(item, now);
        if (chunk === undefined || chunk.seq !== expected) return undefined;
        expected += 1;
        for (const id of chunk.ids) seen.add(id);
      }
    }
    return seen;
  }
}

/** A stored chunk, or undefined when it expired or is not one this version wrote. */
function chunkOf(item: Stored<ChunkItem>, now: Date): ReconcileChunk | undefined {
  if (isExpired(item, now)) return undefined;
  const { seq, folder, ids } = item;
  if (seq === undefined || ids === undefined || !(FOLDERS as readonly string[]).includes(folder ?? ''))
    return undefined;
  const parsed = JSON.parse(ids) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((id): id is string => typeof id === 'string')) return undefined;
  return { seq, folder: folder as Folder, nextCursor: item.next_cursor ?? null, ids: parsed };
}
