import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ChangeEventSink, RemovalReason } from '../domain/change-event.js';
import type { Conversation } from '../domain/conversation.js';
import type { Folder, Platform } from '../domain/vocabulary.js';
import type { Logger } from '../telemetry/logger.js';
import { ChangeFeed } from './change-feed.js';
import { ChangeOutbox, type PendingItem } from './change-outbox.js';
import {
  afterWrite,
  type ConversationItem,
  folderOf,
  type PendingEntry,
  pendingChangesOf,
} from './conversation-item.js';
import { folderDeltas, IndexCounters } from './index-counters.js';
import { type IndexListing, type IndexQuery, type ListedItem, listLive, liveIdsOf } from './index-listing.js';
import { listWithRemoved } from './index-merged-listing.js';
import { type IndexedState, readStates } from './index-state.js';
import { liveWrite, tombstoneWrite } from './index-write.js';
import { type IndexPartition, indexKeys, keys } from './keys.js';
import { namesOf, type Stored, Table, type Update } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

export type {
  IndexedConversation,
  IndexListing,
  IndexQuery,
  ListedItem,
  TombstoneView,
} from './index-listing.js';
export type { IndexedState } from './index-state.js';
export type { IndexPartition } from './keys.js';

/** What one write did to one conversation: the per-item result of `write` and `tombstone`. */
export interface IndexChange {
  /** As written; for a removal, its ids and times only. */
  conversation: Conversation;
  /** `created`: new to the live index (or back from a tombstone); `removed`: made a tombstone. */
  change: 'created' | 'updated' | 'removed';
  /** The event it emits: Changed, Moved (the folder changed) or Removed. */
  kind: 'changed' | 'moved' | 'removed';
  /** The live folder it was in before; undefined when it was not live. */
  previousFolder: Folder | undefined;
  /** The live folder it is in now; undefined once removed. */
  folder: Folder | undefined;
  /** The item's revision after this write. */
  revision: number;
}

export interface ConversationIndexOptions {
  /** Where change events go. Without one, writes mark nothing pending, emit nothing and feed nothing. */
  events?: ChangeEventSink;
  logger?: Logger;
  now?: () => Date;
  /** `TOMBSTONE_DAYS`: how long a tombstone is listed by `include_removed=true`. Default 30. */
  tombstoneDays?: number;
  /** `CHANGES_DAYS`: how long the changes feed keeps a write. Default 7. */
  changesDays?: number;
  /** The changes feed's settle time (see `change-feed.ts`). Default 10 s. */
  feedSettleMs?: number;
  /**
   * Called by `write` before any item is written, with the conversations it was given: only those it
   * returns are written. A person's data (`lib/privacy/admission.ts`): erased history and conversations
   * past the retention are dropped, and the refs an erasure finds people by are written first. A
   * failure fails the write, before anything was written.
   */
  admit?: (
    partition: IndexPartition,
    conversations: readonly Conversation[],
  ) => Promise<readonly Conversation[]>;
}

const { byUpdatedTime } = TABLE_KEYS;
const WRITE_CONCURRENCY = 16;
const DAY_MS = 86_400_000;

/** One applied write: what it changed, and its item's pending writes for the outbox. */
interface Applied {
  change: IndexChange;
  pending: PendingItem | undefined;
}

/**
 * The conversation index: one item per conversation and platform, keyed by its id, so new activity
 * updates it in place. The secondary index orders a Page's folder by `updated_time`, and its tombstones
 * apart by `removed_time`; DynamoDB moves an item within it when its keys change, so no stale entry is
 * left behind and no transaction is needed. Each write raises the item's revision, moves the folder
 * counters (`index-counters.ts`) and, with an event sink, appends itself to the item's pending writes
 * in the same UpdateItem and is then recorded in the changes feed and published (`change-outbox.ts`).
 */
export class ConversationIndex {
  private readonly table: Table;
  private readonly counters: IndexCounters;
  private readonly outbox: ChangeOutbox | undefined;
  readonly feed: ChangeFeed;
  private readonly now: () => Date;
  private readonly tombstoneDays: number;
  private readonly admit: ConversationIndexOptions['admit'];

  constructor(client: DynamoDBClient, tableName: string, options: ConversationIndexOptions = {}) {
    this.table = new Table(client, tableName);
    this.now = options.now ?? (() => new Date());
    this.tombstoneDays = options.tombstoneDays ?? 30;
    this.admit = options.admit;
    this.counters = new IndexCounters(client, tableName);
    this.feed = new ChangeFeed(client, tableName, {
      now: this.now,
      ...(options.changesDays === undefined ? {} : { keepDays: options.changesDays }),
      ...(options.feedSettleMs === undefined ? {} : { settleMs: options.feedSettleMs }),
    });
    this.outbox =
      options.events === undefined
        ? undefined
        : new ChangeOutbox({
            client,
            tableName,
            sink: options.events,
            feed: this.feed,
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
   * than what the index holds (a refresh that read Graph before a sync wrote) changes nothing. One held
   * in another folder of the platform moves here (`Conversation Moved`); a tombstone comes back.
   * Counters move by the changes, and their events are delivered, before it returns.
   */
  async write(partition: IndexPartition, conversations: readonly Conversation[]): Promise<IndexChange[]> {
    const admitted =
      this.admit === undefined || conversations.length === 0
        ? conversations
        : await this.admit(partition, conversations);
    return this.apply(partition, admitted, (conversation) => this.writeOne(partition, conversation));
  }

  /**
   * Makes live conversations tombstones, each only if still live and at the `revision` the caller read
   * (so nothing written since is removed): its doc goes, ids and times stay for TOMBSTONE_DAYS. One
   * `Conversation Removed` each; the folders' counters drop. Returns the removals that applied.
   */
  async tombstone(
    target: { pageId: string; platform: Platform },
    removals: ReadonlyArray<{ id: string; revision: number }>,
    reason: RemovalReason,
  ): Promise<IndexChange[]> {
    // The folder each sits in names its tombstones' partition: read with the revision it must still have.
    const ids = removals.map(({ id }) => id);
    const held = await readStates(this.table, target.pageId, target.platform, ids, this.now());
    const due = removals.filter(({ id, revision }) => {
      const state = held.get(id);
      return state !== undefined && !state.removed && state.revision === revision;
    });
    return this.apply(target, due, ({ id, revision }) => {
      const folder = held.get(id)?.folder as Folder;
      return this.removeOne({ ...target, folder }, id, revision, reason);
    });
  }

  /** Delivers the writes a dead or failed writer left pending for the Page (events and feed records). */
  async emitPendingEvents(pageId: string): Promise<number> {
    return (await this.outbox?.recover(pageId)) ?? 0;
  }

  /** Live conversations of one folder updated after an instant, newest first, one listing at a time. */
  async query(query: IndexQuery): Promise<IndexListing> {
    return listLive(this.table, query);
  }

  /** `query` with the folder's tombstones removed after the instant, merged by time (`include_removed`). */
  async queryWithRemoved(query: IndexQuery): Promise<IndexListing<ListedItem>> {
    const now = this.now();
    const tombstonesSince = new Date(now.getTime() - this.tombstoneDays * DAY_MS);
    return listWithRemoved(this.table, { ...query, now, tombstonesSince });
  }

  /** What the index holds of these ids (BatchGetItem, 100 a call); an id it never held is absent. */
  async readState(
    pageId: string,
    platform: Platform,
    ids: readonly string[],
  ): Promise<Map<string, IndexedState>> {
    return readStates(this.table, pageId, platform, ids, this.now());
  }

  /** The live ids of a folder, with their revision and last write (for reconciliation). */
  liveIds(partition: IndexPartition): AsyncIterable<{ id: string; revision: number; writtenAt: number }> {
    return liveIdsOf(this.table, partition);
  }

  /** How many conversations a folder holds live: one read of its counter, however large the folder. */
  async count(partition: IndexPartition): Promise<number> {
    return this.counters.read(partition.pageId, partition.platform, partition.folder);
  }

  /**
   * Counts a folder's live items from the index itself (a paged Query with `Select: COUNT`) and resets
   * its counter to that: the repair after a writer died between a conversation and its counter, for
   * the sync's recovery and the reconciliation. Costs reads in proportion to the folder; not for every
   * run. The reset holds only if no writer moved the counter while the folder was counted (else counted
   * again, a few times at most, then set anyway: a writer still between its two writes may then leave
   * it off by its own conversations, as a crash would).
   */
  async recount(partition: IndexPartition): Promise<number> {
    return this.counters.recount(partition, () =>
      this.table.count({
        index: byUpdatedTime,
        keyCondition: '#gpk = :gpk',
        names: namesOf<ConversationItem>({ '#gpk': 'gsi1pk' }),
        values: { ':gpk': indexKeys.indexedFolder(partition) },
      }),
    );
  }

  /**
   * Runs writes a batch at a time, then moves the counters by what applied and delivers their pending
   * writes. A failure settles the whole batch first: no write of this call may land after it reported.
   */
  private async apply<T>(
    target: { pageId: string; platform: Platform },
    inputs: readonly T[],
    writeOne: (input: T) => Promise<Applied | undefined>,
  ): Promise<IndexChange[]> {
    const applied: Applied[] = [];
    let failure: { reason: unknown } | undefined;
    for (let start = 0; start < inputs.length && failure === undefined; start += WRITE_CONCURRENCY) {
      const results = await Promise.allSettled(inputs.slice(start, start + WRITE_CONCURRENCY).map(writeOne));
      for (const result of results) {
        if (result.status === 'rejected') failure ??= { reason: result.reason };
        else if (result.value !== undefined) applied.push(result.value);
      }
    }
    const changes = applied.map(({ change }) => change);
    // Written items are counted even when others failed: a replay writes and counts them no more.
    await this.counters.add(target.pageId, target.platform, folderDeltas(changes));
    // Their events stay pending (the mark is on each item) for the next writer's `emitPendingEvents`.
    if (failure !== undefined) throw failure.reason;
    await this.outbox?.deliver(applied.flatMap(({ pending }) => (pending === undefined ? [] : [pending])));
    return changes;
  }

  private async writeOne(
    partition: IndexPartition,
    conversation: Conversation,
  ): Promise<Applied | undefined> {
    const writtenAt = this.now().getTime();
    const key = keys.conversation(partition.pageId, partition.platform, conversation.id);
    const { update, entry } = liveWrite(partition, conversation, writtenAt, this.outbox !== undefined);
    return this.applied(key, update, entry, JSON.stringify(conversation), true, (old, revision) => {
      const previousFolder = folderOf(old);
      const isLive = previousFolder !== undefined;
      return {
        conversation,
        change: isLive ? 'updated' : 'created',
        kind: isLive && previousFolder !== partition.folder ? 'moved' : 'changed',
        previousFolder,
        folder: partition.folder,
        revision,
      };
    });
  }

  private async removeOne(
    target: IndexPartition,
    id: string,
    revision: number,
    reason: RemovalReason,
  ): Promise<Applied | undefined> {
    const now = this.now();
    const removal = {
      reason,
      removedAt: now,
      expiresAt: new Date(now.getTime() + this.tombstoneDays * DAY_MS),
      writtenAt: now.getTime(),
    };
    const key = keys.conversation(target.pageId, target.platform, id);
    const { update, entry } = tombstoneWrite(target, id, revision, removal, this.outbox !== undefined);
    // A person's erasure, or the retention, also takes back what an undelivered write before the removal
    // would still announce: its content (the item's doc until now) is not published after the removal.
    const keepPrevious = reason === 'not_listed';
    return this.applied(key, update, entry, undefined, keepPrevious, (old, written) => ({
      conversation: { id, updated_time: old?.updated_time ?? '' },
      change: 'removed',
      kind: 'removed',
      previousFolder: target.folder,
      folder: undefined,
      revision: written,
    }));
  }

  /** One UpdateItem; when it applied, what it changed and (with an outbox) the item's pending writes. */
  private async applied(
    key: ReturnType<typeof keys.conversation>,
    update: Update,
    entry: PendingEntry,
    doc: string | undefined,
    keepPrevious: boolean,
    describe: (old: Stored<ConversationItem> | undefined, revision: number) => IndexChange,
  ): Promise<Applied | undefined> {
    const written = await this.table.update<ConversationItem>(key, update);
    if (!written.applied) return undefined;
    const old = written.record;
    const revision = (old?.rev ?? 0) + 1;
    const change = describe(old, revision);
    if (this.outbox === undefined) return { change, pending: undefined };
    // The records recovery would read back from the item as this write left it; the write before
    // this one (if still pending) is known exactly from the item as it was.
    const changes = pendingChangesOf(afterWrite(old, entry, key, doc), keepPrevious ? old?.doc : undefined);
    return { change, pending: { key, revision, changes } };
  }
}
