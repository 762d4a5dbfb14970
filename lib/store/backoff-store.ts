import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.js';
import { type Expiring, epochSeconds, isExpired, namesOf, Table } from './table.js';

export interface BackoffStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * How long a container trusts its own "not throttled" reading before asking DynamoDB again. Staleness
   * costs little: a container that calls a page another one found throttled gets Graph's refusal,
   * records it and stops, so it spends at most one call per throttle; in exchange most requests read
   * nothing for it, and a follow-up page costs one read (its cursor), not two.
   */
  freshnessMs?: number;
}

/**
 * A Page's back-off (`keys.backoff`), in a partition of its own rather than the Page's: the API writes
 * back-offs, and `dynamodb:LeadingKeys` then keeps it away from the sync state it must never overwrite.
 */
interface BackoffItem extends Expiring {
  until_ms: number;
  recorded_at: string;
}

interface Reading {
  /** Epoch ms until which the Page is throttled; 0 when it is not. */
  until: number;
  readAt: number;
}

/**
 * When Graph last throttled each Page. Held in DynamoDB so that every container honours it, with an
 * in-memory fast path: a known throttle is answered without I/O, and "not throttled" is re-read only
 * after `freshnessMs`.
 */
export class BackoffStore {
  private readonly readings = new Map<string, Reading>();
  private readonly freshnessMs: number;
  private readonly table: Table;

  constructor(options: BackoffStoreOptions) {
    this.freshnessMs = options.freshnessMs ?? 60_000;
    this.table = new Table(options.client, options.tableName);
  }

  /** The instant until which Graph must not be called for the Page, or undefined when it may be. */
  async throttledUntil(pageId: string, now: Date): Promise<Date | undefined> {
    const reading = this.readings.get(pageId);
    const nowMs = now.getTime();
    if (reading !== undefined && (reading.until > nowMs || nowMs - reading.readAt < this.freshnessMs)) {
      return reading.until > nowMs ? new Date(reading.until) : undefined;
    }
    const item = await this.table.get<BackoffItem>(keys.backoff(pageId));
    const until = item === undefined || isExpired(item, now) ? 0 : (item.until_ms ?? 0);
    this.readings.set(pageId, { until, readAt: nowMs });
    return until > nowMs ? new Date(until) : undefined;
  }

  /** Records a throttle. A later instant already stored wins: a shorter report must not lift a block. */
  async record(pageId: string, until: Date, now: Date): Promise<void> {
    const untilMs = until.getTime();
    const known = this.readings.get(pageId);
    this.readings.set(pageId, { until: Math.max(untilMs, known?.until ?? 0), readAt: now.getTime() });
    const item: BackoffItem = {
      until_ms: untilMs,
      recorded_at: now.toISOString(),
      expires_at: epochSeconds(until) + 3600,
    };
    // A failed condition is a later block already stored: it stays.
    await this.table.put(
      { ...keys.backoff(pageId), ...item },
      {
        condition: 'attribute_not_exists(#until) OR #until < :until',
        names: namesOf<BackoffItem>({ '#until': 'until_ms' }),
        values: { ':until': untilMs },
      },
    );
  }
}
