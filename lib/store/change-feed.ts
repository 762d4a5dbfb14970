import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConversationChangeDetail, IndexChangeRecord } from '../domain/change-event.js';
import { changesPartition, feedKeys, indexKeys, keys } from './keys.js';
import { epochSeconds, namesOf, Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The changes feed (`GET /pages/{pageId}/changes`): one record per write of a Page's index, keyed by
 * the write's place in write order (`feedKeys.change`: the writer's clock in ms, platform, id,
 * revision) and holding the event's detail, kept `CHANGES_DAYS`. The writer records a write (an
 * idempotent Put) after its index write and before it clears its outbox mark; recovery records what a
 * dead writer left, the same way.
 *
 * Order across containers: a reader shows a record only below the watermark
 * W = min(the oldest outbox mark of the Page (`gsi2sk`, one Query, Limit 1), now - `settleMs`).
 * Every write is marked pending by the very UpdateItem that makes it, with a key no later than its own
 * record's, and the mark is cleared only after the record was put; so a write not yet recorded either
 * holds W below its key (its mark is visible), or is too recent for its mark to be visible yet: still
 * in flight (the SDK's attempts), in the global index's propagation, or written by a clock running
 * behind, all of which `settleMs` must exceed. Nothing below W can appear later, so a reader that has
 * read up to W never has to look back. A writer that dies between its index write and its record
 * leaves its mark, which holds W until recovery records the write.
 */

/** One change as the feed keeps it. */
type ChangeRecord = {
  pk: string;
  sk: string;
  /** The event's detail, JSON. */
  detail: string;
  expires_at: number;
};

/** What one read of the feed gives. */
export interface FeedBatch {
  changes: ConversationChangeDetail[];
  /** Where the next read starts (inclusive; never a change already given). */
  next: string;
  /** Whether the read stopped at `limit` rather than at the watermark. */
  more: boolean;
}

export interface ChangeFeedOptions {
  /** `CHANGES_DAYS`: how long a change is kept, and how far back a reader may start. Default 7. */
  keepDays?: number;
  /**
   * How long a write may take to become visible as pending (see above). Default 10 s: DynamoDB's
   * attempts (2 x 1 s), the global index's propagation (usually well under a second) and clock skew.
   */
  settleMs?: number;
  now?: () => Date;
}

const DAY_MS = 86_400_000;

export class ChangeFeed {
  private readonly table: Table;
  readonly keepDays: number;
  private readonly settleMs: number;
  private readonly now: () => Date;

  constructor(client: DynamoDBClient, tableName: string, options: ChangeFeedOptions = {}) {
    this.table = new Table(client, tableName);
    this.keepDays = options.keepDays ?? 7;
    this.settleMs = options.settleMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Puts each write's record (25 a call); putting one again writes the same item (recovery after a writer). */
  async record(
    entries: ReadonlyArray<{ record: IndexChangeRecord; detail: ConversationChangeDetail }>,
  ): Promise<void> {
    const items: ChangeRecord[] = entries.map(({ record, detail }) => ({
      ...keys.change(record.pageId, changeKeyOf(record)),
      detail: JSON.stringify(detail),
      expires_at: epochSeconds(new Date(record.writtenAt + this.keepDays * DAY_MS)),
    }));
    await this.table.putMany(items);
  }

  /** The details already recorded for these writes, by `changeKeyOf` (recovery of superseded writes). */
  async find(records: readonly IndexChangeRecord[]): Promise<Map<string, ConversationChangeDetail>> {
    const found = await this.table.getMany<ChangeRecord>(
      records.map((record) => keys.change(record.pageId, changeKeyOf(record))),
    );
    return new Map(
      found.flatMap((item) =>
        item.sk === undefined || item.detail === undefined
          ? []
          : [[item.sk, JSON.parse(item.detail) as ConversationChangeDetail] as const],
      ),
    );
  }

  /** The oldest position a reader may still start from: older changes may be gone. */
  oldestKept(): string {
    return feedKeys.instant(this.now().getTime() - this.keepDays * DAY_MS);
  }

  /**
   * Up to `limit` changes from `from` (a position a previous read gave, or `oldestKept()`), oldest
   * first, none at or above the watermark. Two Queries: the watermark (one item) and the changes.
   */
  async read(pageId: string, from: string, limit: number): Promise<FeedBatch> {
    const watermark = await this.watermark(pageId);
    if (from >= watermark) return { changes: [], next: from, more: false };
    // Neither bound is ever a change's key: `from` is an instant, a write key or the key after a
    // change, and the watermark an instant or a write key; changes sort after both.
    const { records, lastKey } = await this.table.query<ChangeRecord>({
      keyCondition: '#pk = :pk AND #sk BETWEEN :from AND :until',
      names: namesOf<ChangeRecord>({ '#pk': 'pk', '#sk': 'sk' }),
      values: { ':pk': changesPartition(pageId), ':from': from, ':until': watermark },
      limit,
      consistent: true,
    });
    const changes = records.flatMap((record) =>
      record.detail === undefined ? [] : [JSON.parse(record.detail) as ConversationChangeDetail],
    );
    const last = records.at(-1)?.sk;
    const more = lastKey !== undefined && records.length === limit;
    // Read to the watermark: nothing below it can still appear, so the next read starts there.
    return { changes, next: more && last !== undefined ? afterChange(last) : watermark, more };
  }

  /** Below this, no write of the Page can still be recorded (see the module's comment). */
  private async watermark(pageId: string): Promise<string> {
    const settled = feedKeys.instant(this.now().getTime() - this.settleMs);
    const { records } = await this.table.query<{ gsi2sk: string }>({
      index: TABLE_KEYS.pendingEvents,
      keyCondition: '#epk = :epk',
      names: { '#epk': TABLE_KEYS.pendingEvents.partitionKey },
      values: { ':epk': indexKeys.pendingEvents(pageId) },
      limit: 1,
    });
    const oldestPending = records[0]?.gsi2sk;
    return oldestPending !== undefined && oldestPending < settled ? oldestPending : settled;
  }
}

/** A record's key in write order. */
export const changeKeyOf = (record: IndexChangeRecord): string =>
  feedKeys.change(record.writtenAt, record.platform, record.conversation.id, record.revision);

/**
 * The first key after a change's: its next revision at the same place. No key lies between (ids hold
 * no separator, revisions have a fixed width), so a read from there misses nothing and repeats nothing.
 */
function afterChange(key: string): string {
  const cut = key.lastIndexOf('#');
  const revision = Number(key.slice(cut + 1));
  return key.slice(0, cut + 1) + String(revision + 1).padStart(key.length - cut - 1, '0');
}
