import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ChangeEventSink, changeDetail, type IndexChangeRecord } from '../domain/change-event.js';
import type { Logger } from '../telemetry/logger.js';
import { type ConversationItem, pendingChangeOf } from './conversation-item.js';
import { indexKeys, keys } from './keys.js';
import { namesOf, Table } from './table.js';
import { TABLE_KEYS } from './table-schema.js';

/**
 * The outbox of change events, kept on the indexed conversations themselves (no transactions): the
 * same UpdateItem that changes a conversation marks it pending, with the sparse `pendingEvents` keys,
 * the time the index held before (`event_prev`) and a revision. After the sink accepts the event, the
 * mark is cleared only if the revision is still the one emitted, so a newer change stays pending.
 *
 * Invariants:
 * 1. No change is lost between the index write and its event: until cleared, it is in the sparse
 *    index, and `recover` (at the start of every sync run and refresh of the Page) emits it.
 * 2. A change is emitted at least once, each time with the same `event_id` (`<id>@<updated_time>`,
 *    both read from the item), so a replay never emits a different one.
 * 3. A write that changes nothing (a replayed Graph page, a duplicate webhook) marks nothing.
 */

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

export class ChangeOutbox {
  private readonly table: Table;
  private readonly now: () => Date;
  private readonly recoveryAgeMs: number;

  constructor(private readonly options: ChangeOutboxOptions) {
    this.table = new Table(options.client, options.tableName);
    this.now = options.now ?? (() => new Date());
    this.recoveryAgeMs = options.recoveryAgeMs ?? 30_000;
  }

  /**
   * Publishes changes and clears the marks of those the sink accepted. Never throws: what is not
   * delivered stays marked for `recover`, and the index write that caused it has already succeeded.
   * Returns how many were delivered.
   */
  async deliver(changes: readonly IndexChangeRecord[]): Promise<number> {
    if (changes.length === 0) return 0;
    const details = changes.map(changeDetail);
    let undelivered: Set<string>;
    try {
      undelivered = new Set((await this.options.sink.publish(details)).undelivered);
    } catch (error: unknown) {
      this.options.logger?.error('change events not delivered; left for recovery', {
        count: changes.length,
        error,
      });
      return 0;
    }
    const delivered = changes.filter((_, i) => !undelivered.has(details[i]?.event_id ?? ''));
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

  /** Emits what a dead or failed writer left marked for the Page, oldest first. Returns how many. */
  async recover(pageId: string): Promise<number> {
    const cutoff = this.now().getTime() - this.recoveryAgeMs;
    let delivered = 0;
    const marked = this.table.batches<ConversationItem>({
      index: TABLE_KEYS.pendingEvents,
      keyCondition: '#epk = :epk',
      filter: '#since <= :cutoff',
      names: namesOf<ConversationItem>({ '#epk': 'gsi2pk', '#since': 'pending_since' }),
      values: { ':epk': indexKeys.pendingEvents(pageId), ':cutoff': cutoff },
    });
    for await (const batch of marked) {
      delivered += await this.deliver(batch.map(pendingChangeOf).filter((change) => change !== undefined));
    }
    return delivered;
  }

  private async clear(change: IndexChangeRecord): Promise<void> {
    const key = keys.conversation(change.pageId, change.platform, change.conversation.id);
    const { applied } = await this.table.update(key, {
      update: 'REMOVE #epk, #esk, #prev, #since',
      condition: '#rev = :rev',
      names: namesOf<ConversationItem>({
        '#epk': 'gsi2pk',
        '#esk': 'gsi2sk',
        '#prev': 'event_prev',
        '#since': 'pending_since',
        '#rev': 'rev',
      }),
      values: { ':rev': change.revision },
    });
    if (applied) return;
    // A newer change is pending: its event's "previous" is now the one just delivered. A condition that
    // fails here means nothing is left to advance (delivered meanwhile, or already later).
    await this.table.update(key, {
      update: 'SET #prev = :emitted',
      condition: 'attribute_exists(#epk) AND #prev < :emitted AND #ut <> :emitted',
      names: namesOf<ConversationItem>({ '#epk': 'gsi2pk', '#prev': 'event_prev', '#ut': 'updated_time' }),
      values: { ':emitted': change.conversation.updated_time },
    });
  }
}
