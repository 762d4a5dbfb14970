import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Conversation } from '../domain/conversation.js';
import { sortableSecond } from '../domain/graph-time.js';
import { parseJsonRecord } from '../domain/json-record.js';
import type { Platform } from '../domain/vocabulary.js';
import {
  changesPartition,
  conversationsPartition,
  type IndexPartition,
  indexKeys,
  keys,
  type TableKey,
} from './keys.js';
import { type Expiring, epochSeconds, isExpired, namesOf, Table } from './table.js';
import { INDEX_KEY_PREFIXES, KEY_SEPARATOR, TABLE_KEYS } from './table-schema.js';

/**
 * The rest of what an erasure touches beside the index and the person's refs: the webhook refresh
 * items that name the person by id, the changes feed's records of their conversations, and the status
 * of Meta's data-deletion requests (`GET /meta/data-deletion/{code}`), which holds no id.
 */

/** A data-deletion request as its status page shows it. */
export interface DeletionStatus {
  status: 'pending' | 'completed';
  requestedAt: string;
  completedAt: string | null;
  conversationsRemoved: number | null;
}

interface DeletionRequestItem extends TableKey, Expiring {
  status: 'pending' | 'completed';
  requested_at: string;
  completed_at?: string;
  conversations_removed?: number;
}

/** A record of the changes feed as `change-feed.ts` writes it: the event's detail as JSON. */
interface FeedRecord extends TableKey, Expiring {
  detail: string;
}

/** What the retention sweep reads of a live indexed conversation (`conversation-item.ts` has the rest). */
interface LiveItem extends TableKey {
  gsi1pk: string;
  gsi1sk: string;
  rev: number;
  doc: string;
}

/** The Page's housekeeping of a person's data (`keys.retentionSweep`). */
interface SweepItem extends TableKey {
  /** When the retention sweep last went through the whole Page (epoch ms). */
  swept_at: number;
  /** When the Page's conversations indexed before person refs existed got theirs (epoch ms). */
  refs_at: number;
}

/** What the Page's housekeeping item says. */
export interface SweepState {
  sweptAt: number | undefined;
  refsAt: number | undefined;
}

/** A live conversation past the retention, as the sweep removes it. */
export interface ExpiredConversation {
  id: string;
  revision: number;
  /** The indexed document (its people are forgotten with it); undefined when unreadable. */
  conversation: Conversation | undefined;
}

/** How long a data-deletion request's status stays readable: Meta's users may look at it later. */
const DELETION_STATUS_DAYS = 90;
const DAY_MS = 86_400_000;
const WRITE_CONCURRENCY = 25;

/** The platform and conversation id of a feed record's key (`<ms>#<platform>#<id>#<revision>`). */
function feedTarget(sortKey: string | undefined): string | undefined {
  const parts = sortKey?.split(KEY_SEPARATOR);
  if (parts === undefined || parts.length !== 4) return undefined;
  return `${parts[1]}/${parts[2]}`;
}

/**
 * A detail without the person's data: a conversation cut to its id and time. A removal's detail has
 * none to begin with; anything unreadable is cut to nothing but is kept, so that the feed keeps its
 * order and its event ids.
 */
function redactedDetail(detail: string): string | undefined {
  const record = parseJsonRecord(detail);
  if (record === undefined) return undefined;
  const conversation = record.conversation;
  if (typeof conversation !== 'object' || conversation === null) return undefined;
  const { id, updated_time: updatedTime, ...rest } = conversation as Record<string, unknown>;
  if (Object.keys(rest).length === 0) return undefined;
  return JSON.stringify({ ...record, conversation: { id, updated_time: updatedTime } });
}

export class ErasureStore {
  private readonly table: Table;

  constructor(client: DynamoDBClient, tableName: string) {
    this.table = new Table(client, tableName);
  }

  /** Deletes the webhook refresh items of a person on a Page (keyed by their id, on both platforms). */
  async forgetRefreshes(pageId: string, personId: string, platforms: readonly Platform[]): Promise<void> {
    await Promise.all(
      platforms.map((platform) => this.table.delete(keys.refresh(pageId, platform, personId))),
    );
  }

  /**
   * Rewrites the feed records of these conversations with the conversation cut to its id and time
   * (same key, same event id: the feed stays whole and in order). The feed is keyed by write time, so
   * this reads the Page's feed of the last `CHANGES_DAYS` once: reads in proportion to the Page's recent
   * changes, not to its index. Returns how many records were rewritten.
   */
  async redactFeed(
    pageId: string,
    conversations: ReadonlyArray<{ platform: Platform; conversationId: string }>,
  ): Promise<number> {
    if (conversations.length === 0) return 0;
    const wanted = new Set(conversations.map((c) => `${c.platform}/${c.conversationId}`));
    const rewrites: FeedRecord[] = [];
    const batches = this.table.batches<FeedRecord>({
      keyCondition: '#pk = :pk',
      names: namesOf<FeedRecord>({ '#pk': 'pk' }),
      values: { ':pk': changesPartition(pageId) },
    });
    for await (const batch of batches) {
      for (const record of batch) {
        const target = feedTarget(record.sk);
        if (target === undefined || !wanted.has(target) || record.detail === undefined) continue;
        const detail = redactedDetail(record.detail);
        if (detail === undefined || record.pk === undefined || record.sk === undefined) continue;
        rewrites.push({ pk: record.pk, sk: record.sk, detail, expires_at: record.expires_at });
      }
    }
    for (let start = 0; start < rewrites.length; start += WRITE_CONCURRENCY) {
      await Promise.all(
        rewrites.slice(start, start + WRITE_CONCURRENCY).map((record) =>
          // Only over a record still there: one that expired and was deleted meanwhile stays gone.
          this.table.put({ ...record }, { condition: 'attribute_exists(#pk)', names: { '#pk': 'pk' } }),
        ),
      );
    }
    return rewrites.length;
  }

  /**
   * Up to `limit` live conversations of a folder last updated before `before`, oldest first: one
   * bounded Query of the folder's live partition from its oldest end (reads in proportion to what it
   * returns, whatever the folder's size).
   */
  async expiredLive(partition: IndexPartition, before: Date, limit: number): Promise<ExpiredConversation[]> {
    const { records } = await this.table.query<LiveItem>({
      index: TABLE_KEYS.byUpdatedTime,
      keyCondition: '#gpk = :gpk AND #gsk < :before',
      names: namesOf<LiveItem>({
        '#gpk': 'gsi1pk',
        '#gsk': 'gsi1sk',
        '#sk': 'sk',
        '#rev': 'rev',
        '#doc': 'doc',
      }),
      values: {
        ':gpk': indexKeys.indexedFolder(partition),
        ':before': sortableSecond(Math.floor(before.getTime() / 1000)),
      },
      projection: '#sk, #rev, #doc',
      forward: true,
      limit,
    });
    return records.flatMap((record) => {
      if (record.sk === undefined || record.rev === undefined) return [];
      let conversation: Conversation | undefined;
      try {
        conversation = record.doc === undefined ? undefined : (JSON.parse(record.doc) as Conversation);
      } catch {
        conversation = undefined;
      }
      return [{ id: record.sk, revision: record.rev, conversation }];
    });
  }

  /** When the Page was last swept for expired conversations, and given its refs (epoch ms). */
  async sweepState(pageId: string): Promise<SweepState> {
    const item = await this.table.get<SweepItem>(keys.retentionSweep(pageId));
    return { sweptAt: item?.swept_at, refsAt: item?.refs_at };
  }

  async markRefsBuilt(pageId: string, at: Date): Promise<void> {
    await this.table.update(keys.retentionSweep(pageId), {
      update: 'SET #at = :at',
      names: namesOf<SweepItem>({ '#at': 'refs_at' }),
      values: { ':at': at.getTime() },
    });
  }

  /**
   * One batch of a platform's live conversations (every folder), in id order, and where the next batch
   * starts: for giving conversations indexed before person refs existed their refs, once. One Query of
   * the platform's own partition, tombstones filtered out, rather than one per folder of the index.
   */
  async liveBatch(
    scope: { pageId: string; platform: Platform },
    startKey: Record<string, string> | undefined,
  ): Promise<{ conversations: Conversation[]; next: Record<string, string> | undefined }> {
    const { records, lastKey } = await this.table.query<LiveItem>({
      keyCondition: '#pk = :pk',
      filter: 'begins_with(#gpk, :live)',
      names: namesOf<LiveItem>({ '#pk': 'pk', '#gpk': 'gsi1pk', '#doc': 'doc' }),
      values: {
        ':pk': conversationsPartition(scope.pageId, scope.platform),
        ':live': INDEX_KEY_PREFIXES.indexedFolder,
      },
      projection: '#doc',
      limit: 100,
      ...(startKey === undefined ? {} : { startKey }),
    });
    const conversations = records.flatMap((record) => {
      try {
        return record.doc === undefined ? [] : [JSON.parse(record.doc) as Conversation];
      } catch {
        return [];
      }
    });
    return { conversations, next: lastKey };
  }

  /** An UpdateItem, as the sync worker writes the rest of the Page's partition (no PutItem there). */
  async markSwept(pageId: string, at: Date): Promise<void> {
    await this.table.update(keys.retentionSweep(pageId), {
      update: 'SET #at = :at',
      names: namesOf<SweepItem>({ '#at': 'swept_at' }),
      values: { ':at': at.getTime() },
    });
  }

  /** Records a data-deletion request as pending. */
  async createDeletionRequest(code: string, requestedAt: Date): Promise<void> {
    const item: DeletionRequestItem = {
      ...keys.deletionRequest(code),
      status: 'pending',
      requested_at: requestedAt.toISOString(),
      expires_at: epochSeconds(new Date(requestedAt.getTime() + DELETION_STATUS_DAYS * DAY_MS)),
    };
    await this.table.put({ ...item }, { condition: 'attribute_not_exists(#pk)', names: { '#pk': 'pk' } });
  }

  /** Marks a request done, with what it removed. */
  async completeDeletionRequest(
    code: string,
    completedAt: Date,
    conversationsRemoved: number,
  ): Promise<void> {
    await this.table.update(keys.deletionRequest(code), {
      update: 'SET #status = :completed, #done = :done, #removed = :removed',
      condition: 'attribute_exists(#status)',
      names: namesOf<DeletionRequestItem>({
        '#status': 'status',
        '#done': 'completed_at',
        '#removed': 'conversations_removed',
      }),
      values: {
        ':completed': 'completed',
        ':done': completedAt.toISOString(),
        ':removed': conversationsRemoved,
      },
    });
  }

  /** A request's status; undefined when unknown or expired. */
  async deletionStatus(code: string, now: Date): Promise<DeletionStatus | undefined> {
    const item = await this.table.get<DeletionRequestItem>(keys.deletionRequest(code));
    if (item === undefined || isExpired(item, now) || item.requested_at === undefined) return undefined;
    const completed = item.status === 'completed';
    return {
      status: completed ? 'completed' : 'pending',
      requestedAt: item.requested_at,
      completedAt: completed ? (item.completed_at ?? null) : null,
      conversationsRemoved: completed ? (item.conversations_removed ?? 0) : null,
    };
  }
}
